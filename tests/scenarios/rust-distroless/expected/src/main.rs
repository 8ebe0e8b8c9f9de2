//! rust-distroless: an HTTP server with a health route, on the standard library alone.
//! A real service would use a framework (axum, actix-web); the Dockerfile does not change.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;
use std::{env, process, thread};

/// The status line and body for a request path.
fn respond(path: &str) -> (&'static str, &'static str) {
    match path {
        "/healthz" => ("200 OK", "ok\n"),
        "/" => ("200 OK", "Hello from rust-distroless\n"),
        _ => ("404 Not Found", "not found\n"),
    }
}

fn handle(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut request_line = String::new();
    let mut reader = BufReader::new(stream.try_clone()?);
    reader.read_line(&mut request_line)?;
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = respond(path);
    write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn port() -> String {
    env::var("PORT").unwrap_or_else(|_| "8080".to_string())
}

/// Asks the running server's health route: the image has no shell or curl.
fn healthcheck() -> i32 {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port().parse::<u16>().unwrap_or(0))) else {
        return 1;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut reply = String::new();
    let sent = stream.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\n\r\n");
    if sent.is_err() || stream.read_to_string(&mut reply).is_err() {
        return 1;
    }
    if reply.starts_with("HTTP/1.1 200") { 0 } else { 1 }
}

// As PID 1 in a container, a process without a SIGTERM handler ignores `docker stop`.
unsafe extern "C" {
    fn signal(signum: i32, handler: extern "C" fn(i32)) -> usize;
    fn _exit(status: i32) -> !;
}

extern "C" fn on_stop_signal(_: i32) {
    unsafe { _exit(0) }
}

fn main() {
    if env::args().nth(1).as_deref() == Some("--healthcheck") {
        process::exit(healthcheck());
    }
    unsafe {
        signal(2, on_stop_signal); // SIGINT
        signal(15, on_stop_signal); // SIGTERM
    }
    let listener = TcpListener::bind(("0.0.0.0", port().parse::<u16>().expect("PORT is a number")))
        .expect("bind the port");
    eprintln!("listening on port {}", port());
    for stream in listener.incoming().flatten() {
        thread::spawn(move || {
            if let Err(error) = handle(stream) {
                eprintln!("request failed: {error}");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::respond;

    #[test]
    fn health_route_answers_ok() {
        assert_eq!(respond("/healthz"), ("200 OK", "ok\n"));
    }
}
