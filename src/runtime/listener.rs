//! The one-shot loopback listener for the local-browser method: 127.0.0.1 only, one redirect, then
//! closed. Only a request to the callback path carrying the `state` of the authorization in progress
//! ends it: anything else (another local program, a web page making the browser call localhost) is
//! answered 400 and ignored, so it can neither use up the one redirect nor fake an error. The wizard
//! checks the state again in what arrives.
//!
//! The port: `--listen-port` when given; otherwise a random free port, chosen the first time and kept
//! in the state folder (`listen-port`), because Salesforce is believed to match the registered
//! callback exactly, port included (protocol notes §2, unconfirmed): a new port each run would mean
//! editing the app, and waiting for that change to propagate, every time.

use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

const PAGE: &str = "<!DOCTYPE html><html><head><title>sfconnect</title></head><body style=\"font-family:sans-serif\">\
<h1>sfconnect received the authorization</h1><p>You can close this tab and go back to the terminal.</p></body></html>";

/// The port to listen on: `explicit`, else the one remembered in `remembered` (a file), else a new
/// random free one, remembered there for the next run. Failing to remember is not fatal.
pub fn choose_port(explicit: Option<u16>, remembered: Option<&Path>) -> u16 {
    if let Some(port) = explicit {
        return port;
    }
    let kept = remembered
        // A pipe or a link to a device here would hang or flood the read: only a small regular file counts.
        .and_then(|path| crate::settings::read_small_file(path, 64).ok())
        .and_then(|(_, text)| text.trim().parse::<u16>().ok())
        .filter(|port| *port >= 1024);
    if let Some(port) = kept {
        return port;
    }
    // The kernel picks a free ephemeral port; it is released at once and used when the user gets to
    // the local-browser method (should something take it meanwhile, the error says what to do).
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(crate::wizard::steps::authorize::PLACEHOLDER_LISTEN_PORT);
    if let Some(path) = remembered {
        let folder = path.parent().map_or(Ok(()), crate::settings::create_private_dir);
        let saved = folder.map_err(|e| e.to_string()).and_then(|()| {
            crate::settings::write_settings(path, &format!("{port}\n"), crate::settings::Overwrite::Replace)
                .map_err(|e| e.to_string())
        });
        if let Err(e) = saved {
            tracing::warn!(error = %e, "could not remember the listen port");
        }
    }
    port
}

/// Where the chosen port is remembered.
pub fn port_file() -> Option<PathBuf> {
    super::progress_file::path().map(|p| p.with_file_name("listen-port"))
}

/// Binds 127.0.0.1:`port`. The error names the port and the fix.
pub async fn bind(port: u16) -> Result<TcpListener, String> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        format!("Could not listen on 127.0.0.1:{port} ({e}): another program may be using it; stop it, use paste-back, or run sfconnect with --listen-port <another port> and add that port's callback to the app")
    })
}

/// Waits for the browser's request to `path` with `state`; answers it and returns the full callback URL.
/// Requests for other paths (a favicon) get 404, ones without the state 400, and the wait goes on.
pub async fn accept_redirect(
    listener: TcpListener,
    path: &str,
    state: &str,
    cancel: CancellationToken,
) -> Option<String> {
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
        let (target_path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
        let carries_state = url::form_urlencoded::parse(query.as_bytes()).any(|(k, v)| k == "state" && v == state);
        if target_path == path && !carries_state {
            let body = "sfconnect: this request does not carry the state of the authorization in progress; ignored.";
            let reply = format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(reply.as_bytes()).await;
            continue;
        }
        if target_path == path {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_port_wins_else_a_random_one_is_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state/listen-port");
        assert_eq!(choose_port(Some(8123), Some(&file)), 8123);
        assert!(!file.exists(), "an explicit port is not remembered");

        let first = choose_port(None, Some(&file));
        assert!(first >= 1024);
        assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), first.to_string());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(choose_port(None, Some(&file)), first, "the same port next time: the app's callback still matches");

        std::fs::write(&file, "not a port\n").unwrap();
        let replaced = choose_port(None, Some(&file));
        assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), replaced.to_string(), "a broken file is replaced");
    }

    #[tokio::test]
    async fn the_listener_takes_one_redirect_on_its_path() {
        let listener = bind(0).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cancel = CancellationToken::new();
        let waiting = tokio::spawn(accept_redirect(listener, "/OauthRedirect", "xyz", cancel));
        let http = reqwest::Client::new();
        let favicon = http.get(format!("http://127.0.0.1:{port}/favicon.ico")).send().await.unwrap();
        assert_eq!(favicon.status(), 404);
        // Another program's (or page's) request without the state neither ends the wait nor fakes a result.
        for stray in ["?code=abc&state=wrong", "?error=access_denied&state=wrong", "?code=abc", ""] {
            let reply = http.get(format!("http://127.0.0.1:{port}/OauthRedirect{stray}")).send().await.unwrap();
            assert_eq!(reply.status(), 400, "{stray}");
        }
        let page = http.get(format!("http://127.0.0.1:{port}/OauthRedirect?code=abc&state=xyz")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert_eq!(
            waiting.await.unwrap().as_deref(),
            Some(&*format!("http://localhost:{port}/OauthRedirect?code=abc&state=xyz"))
        );
        assert!(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err(), "closed after the one redirect");
    }
}
