package app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** java-gradle-distroless: an HTTP server with a health route, on the JDK alone. */
public final class App {
    private App() {}

    /** The status and body for a request path. */
    static Response respond(String path) {
        return switch (path) {
            case "/healthz" -> new Response(200, "ok\n");
            case "/" -> new Response(200, "Hello from java-gradle-distroless\n");
            default -> new Response(404, "not found\n");
        };
    }

    record Response(int status, String body) {}

    static int port() {
        String port = System.getenv("PORT");
        return port == null ? 8080 : Integer.parseInt(port);
    }

    private static void handle(HttpExchange exchange) throws IOException {
        Response response = respond(exchange.getRequestURI().getPath());
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "text/plain");
        exchange.sendResponseHeaders(response.status(), body.length);
        try (var out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port()), 0);
        server.createContext("/", App::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        // docker stop sends SIGTERM: stop accepting, finish what is in flight.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(2)));
        server.start();
        System.out.println("listening on port " + port());
    }
}
