use std::io::{Read, Write};
use std::net::TcpListener;

fn body(path: &str) -> &'static str {
    if path == "/health" { "ok\n" } else { "ledger\n" }
}

fn main() {
    let listener = TcpListener::bind("0.0.0.0:7000").expect("bind");
    for stream in listener.incoming() {
        let mut stream = match stream { Ok(s) => s, Err(_) => continue };
        let mut buf = [0u8; 1024];
        let n = stream.read(&mut buf).unwrap_or(0);
        let request = String::from_utf8_lossy(&buf[..n]);
        let path = request.split_whitespace().nth(1).unwrap_or("/");
        let text = body(path);
        let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", text.len(), text);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn health_says_ok() {
        assert_eq!(super::body("/health"), "ok\n");
    }
}
