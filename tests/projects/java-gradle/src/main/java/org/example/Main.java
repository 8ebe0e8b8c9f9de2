package org.example;

class Main {
    public static void main(String[] args) {}
}
