package com.acme.billing;

public final class Server {
    public static void main(String[] args) {
    }
}
