//! The one-shot loopback listener for the local-browser method: 127.0.0.1 only, one redirect, then
//! closed. The wizard checks the `state` in what arrives; this only carries it over.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const PAGE: &str = "<!DOCTYPE html><html><head><title>sfconnect</title></head><body style=\"font-family:sans-serif\">\
<h1>sfconnect received the authorization</h1><p>You can close this tab and go back to the terminal.</p></body></html>";

/// Binds 127.0.0.1:`port`. The error names the port and the fix.
pub async fn bind(port: u16) -> Result<TcpListener, String> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        format!("Could not listen on 127.0.0.1:{port} ({e}): another program may be using it (the Salesforce CLI's login uses it too); stop it or use paste-back")
    })
}

/// Waits for the browser's request to `path`; answers it and returns the full callback URL. Requests
/// for other paths (a favicon) get 404 and the wait goes on.
pub async fn accept_redirect(listener: TcpListener, path: &str, cancel: CancellationToken) -> Option<String> {
    let port = listener.local_addr().ok()?.port();
    loop {
        let (mut socket, _) = tokio::select! {
            accepted = listener.accept() => accepted.ok()?,
            () = cancel.cancelled() => return None,
        };
        let mut buffer = vec![0u8; 16 * 1024];
        let mut read = 0;
        while read < buffer.len() {
            let n = match tokio::time::timeout(std::time::Duration::from_secs(10), socket.read(&mut buffer[read..]))
                .await
            {
                Ok(Ok(n)) => n,
                _ => 0,
            };
            if n == 0 {
                break;
            }
            read += n;
            if buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        let head = String::from_utf8_lossy(&buffer[..read]);
        let target = head.lines().next().and_then(|line| line.split_whitespace().nth(1)).unwrap_or("").to_string();
        if target.split('?').next() == Some(path) {
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                PAGE.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
            let _ = socket.shutdown().await;
            return Some(format!("http://localhost:{port}{target}"));
        }
        let _ = socket.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").await;
    }
}
