package app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AppTest {
    @Test
    void healthRouteAnswersOk() {
        assertEquals(new App.Response(200, "ok\n"), App.respond("/healthz"));
    }
}
