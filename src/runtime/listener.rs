//! The one-shot loopback listener for the local-browser method: 127.0.0.1 and [::1] on one port, many
//! connections at once (on axum, already linked for the simulator), one redirect with a code, then
//! closed. Only a request to the callback path carrying the `state` of the authorization in progress
//! counts: anything else (another local program, a web page making the browser call localhost) is
//! answered 400 and ignored, so it can neither use up the one redirect nor fake an error. A callback
//! with the state but an error is reported and the listening goes on: only the admin ends it. The
//! state never appears on a command line (see [`open_in_browser`]). The wizard checks the state again
//! in what arrives.
//!
//! The port: `--listen-port` when given; otherwise a random free port, chosen the first time and kept
//! in the state folder (`listen-port`), because Salesforce is believed to match the registered
//! callback exactly, port included (protocol notes §2, unconfirmed): a new port each run would mean
//! editing the app, and waiting for that change to propagate, every time.

use std::path::{Path, PathBuf};

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

/// The loopback listeners on one port: 127.0.0.1 and, where the system has IPv6, [::1] too. The
/// callback says `localhost`, which a browser may resolve to either: a port left free on one family
/// could be taken by another local user, who would then receive the redirect and its code.
#[derive(Debug)]
pub struct Bound {
    listeners: Vec<TcpListener>,
    pub port: u16,
}

/// Binds 127.0.0.1:`port` and [::1]:`port` (port 0: a free port, the same on both). The error names
/// the address and the fix. IPv6 is skipped only where the system has none (then nobody can listen
/// there either).
pub async fn bind(port: u16) -> Result<Bound, String> {
    let v4 = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
        format!("Could not listen on 127.0.0.1:{port} ({e}): another program may be using it; stop it, use paste-back, or run sfconnect with --listen-port <another port> and add that port's callback to the app")
    })?;
    let port = v4.local_addr().map_err(|e| e.to_string())?.port();
    let mut listeners = vec![v4];
    match bind_v6_only(port) {
        Ok(v6) => listeners.push(v6),
        Err(e) if no_ipv6_here(&e) => {
            tracing::debug!("no IPv6 loopback here: listening on 127.0.0.1 only");
        }
        Err(e) => {
            return Err(format!(
                "Could not listen on [::1]:{port} ({e}): another program holds the IPv6 side of the callback's port and could receive the redirect; stop it, use paste-back, or run sfconnect with --listen-port <another port> and add that port's callback to the app"
            ));
        }
    }
    Ok(Bound { listeners, port })
}

/// The system has no IPv6 loopback (then nobody can listen there either).
fn no_ipv6_here(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    return matches!(e.raw_os_error(), Some(libc::EADDRNOTAVAIL | libc::EAFNOSUPPORT));
    #[cfg(not(unix))]
    return e.kind() == std::io::ErrorKind::AddrNotAvailable;
}

/// [::1]:`port`, IPv6 only (so it never collides with the IPv4 socket on dual-stack systems).
fn bind_v6_only(port: u16) -> std::io::Result<TcpListener> {
    let socket = tokio::net::TcpSocket::new_v6()?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let on: libc::c_int = 1;
        // SAFETY: setsockopt on a socket this function owns, with a pointer to a local int of the size given.
        let done = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::IPPROTO_IPV6,
                libc::IPV6_V6ONLY,
                (&on as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if done != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    socket.bind(std::net::SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port)))?;
    socket.listen(64)
}

/// What the listener hands on while it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Callback {
    /// A callback with this session's state and a code: the listening is over.
    Code(String),
    /// A callback with this session's state and an error: reported, but the listening goes on until
    /// the admin decides (its text is not proof that Salesforce said it).
    Error(String),
}

struct Shared {
    path: String,
    state: String,
    port: u16,
    events: tokio::sync::mpsc::UnboundedSender<Callback>,
}

/// Serves the callback on every bound address, many connections at once (a browser's idle preconnect
/// or a slow sender cannot hold up the redirect), until a callback with the state and a code arrives
/// or `cancel` fires. Each callback with the state is handed to `report` (errors included); other
/// requests to the path get 400, other paths 404, and the wait goes on. Returns the code's callback URL.
pub async fn accept_redirect(
    bound: Bound,
    path: &str,
    state: &str,
    cancel: CancellationToken,
    report: impl Fn(Callback) + Send + 'static,
) -> Option<String> {
    use axum::Router;
    let (events, mut arrivals) = tokio::sync::mpsc::unbounded_channel();
    let shared =
        std::sync::Arc::new(Shared { path: path.to_string(), state: state.to_string(), port: bound.port, events });
    let app = Router::new().fallback(handle).with_state(shared);
    let stop = CancellationToken::new();
    let mut servers = tokio::task::JoinSet::new();
    for listener in bound.listeners {
        let stopping = stop.clone();
        let app = app.clone();
        servers.spawn(async move {
            let _ = axum::serve(listener, app).with_graceful_shutdown(stopping.cancelled_owned()).await;
        });
    }
    let outcome = loop {
        tokio::select! {
            event = arrivals.recv() => match event {
                Some(Callback::Code(url)) => {
                    report(Callback::Code(url.clone()));
                    break Some(url);
                }
                Some(other) => report(other),
                None => break None,
            },
            () = cancel.cancelled() => break None,
        }
    };
    stop.cancel();
    // Let the page reach the browser; connections still open after that are dropped with the servers.
    let _ =
        tokio::time::timeout(std::time::Duration::from_secs(2), async { while servers.join_next().await.is_some() {} })
            .await;
    servers.abort_all();
    outcome
}

async fn handle(
    axum::extract::State(shared): axum::extract::State<std::sync::Arc<Shared>>,
    uri: axum::http::Uri,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    if uri.path() != shared.path {
        return StatusCode::NOT_FOUND.into_response();
    }
    let query = uri.query().unwrap_or("");
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let has = |name: &str| pairs.iter().any(|(k, _)| k == name);
    let carries_state = pairs.iter().any(|(k, v)| k == "state" && *v == shared.state);
    if !carries_state {
        let body = "sfconnect: this request does not carry the state of the authorization in progress; ignored.";
        return (StatusCode::BAD_REQUEST, [(header::CONTENT_TYPE, "text/plain")], body).into_response();
    }
    let url = format!("http://localhost:{}{}", shared.port, uri.path_and_query().map_or("", |p| p.as_str()));
    if has("code") {
        let _ = shared.events.send(Callback::Code(url));
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE).into_response();
    }
    let _ = shared.events.send(Callback::Error(url));
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], ERROR_PAGE).into_response()
}

const ERROR_PAGE: &str = "<!DOCTYPE html><html><head><title>sfconnect</title></head><body style=\"font-family:sans-serif\">\
<h1>sfconnect received an answer without a code</h1><p>Go back to the terminal: it shows what came back, and is still waiting.</p></body></html>";

/// Opens `url` in the browser without putting it on a command line: a command's arguments are readable
/// by every user of the machine (`ps`, /proc/PID/cmdline), and the URL carries the state that the
/// listener trusts. The URL goes into a 0600 page in sfconnect's private state folder that sends the
/// browser on; only that page's path is an argument. The page is deleted after a minute.
pub fn open_in_browser(url: &str, folder: &Path) -> std::io::Result<()> {
    let page = redirect_page(url, folder)?;
    let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let spawned = std::process::Command::new(opener)
        .arg(&page)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let cleanup = page.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(60));
        let _ = std::fs::remove_file(cleanup);
    });
    spawned.map(drop).inspect_err(|_| {
        let _ = std::fs::remove_file(&page);
    })
}

/// Writes the page that sends a browser to `url`: a new 0600 file with a random name in `folder`.
pub fn redirect_page(url: &str, folder: &Path) -> std::io::Result<PathBuf> {
    crate::settings::create_private_dir(folder)?;
    let escaped = url.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;");
    // A JSON string is a JavaScript string literal; `Value`'s Display cannot fail, unlike `to_string`.
    let script = serde_json::Value::String(url.to_string()).to_string().replace('<', "\\u003c");
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">\
<meta http-equiv=\"refresh\" content=\"0;url={escaped}\"><title>sfconnect</title></head><body>\
<script>location.replace({script});</script><p><a href=\"{escaped}\">Continue to Salesforce</a></p></body></html>"
    );
    let mut builder = tempfile::Builder::new();
    builder.prefix("sfconnect-open-").suffix(".html");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    let mut file = builder.tempfile_in(folder)?;
    std::io::Write::write_all(&mut file, html.as_bytes())?;
    let (_, path) = file.keep().map_err(|e| e.error)?;
    Ok(path)
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
        let bound = bind(0).await.unwrap();
        let port = bound.port;
        let cancel = CancellationToken::new();
        let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
        let waiting =
            tokio::spawn(accept_redirect(bound, "/OauthRedirect", "xyz", cancel, move |c| drop(seen_tx.send(c))));
        // The app's own client (redirects off): the test sees the listener's answers as sent.
        let http = crate::salesforce::http::build_http_client().unwrap();
        let favicon = http.get(format!("http://127.0.0.1:{port}/favicon.ico")).send().await.unwrap();
        assert_eq!(favicon.status(), 404);
        // Another program's (or page's) request without the state neither ends the wait nor fakes a result.
        for stray in ["?code=abc&state=wrong", "?error=access_denied&state=wrong", "?code=abc", ""] {
            let reply = http.get(format!("http://127.0.0.1:{port}/OauthRedirect{stray}")).send().await.unwrap();
            assert_eq!(reply.status(), 400, "{stray}");
        }
        // An error with the state is reported, and the listening goes on.
        let denied = http
            .get(format!("http://127.0.0.1:{port}/OauthRedirect?error=access_denied&state=xyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(denied.status(), 200);
        assert!(matches!(seen.recv().await, Some(Callback::Error(u)) if u.contains("access_denied")));
        assert!(!waiting.is_finished(), "an error does not end the listening");
        // IPv6 loopback too (localhost may resolve to it), where the system has it.
        let v6 = tokio::net::TcpStream::connect(("::1", port)).await;
        if std::net::TcpListener::bind("[::1]:0").is_ok() {
            assert!(v6.is_ok(), "[::1]:{port} is ours");
        }
        let page = http.get(format!("http://127.0.0.1:{port}/OauthRedirect?code=abc&state=xyz")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert_eq!(
            waiting.await.unwrap().as_deref(),
            Some(&*format!("http://localhost:{port}/OauthRedirect?code=abc&state=xyz"))
        );
        assert!(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err(), "closed after the one redirect");
    }

    #[tokio::test]
    async fn a_squatter_on_the_ipv6_side_is_refused_clearly() {
        let Ok(squatter) = std::net::TcpListener::bind("[::1]:0") else { return };
        let port = squatter.local_addr().unwrap().port();
        let err = bind(port).await.unwrap_err();
        assert!(err.contains(&format!("[::1]:{port}")), "{err}");
    }

    #[tokio::test]
    async fn an_idle_or_slow_connection_does_not_hold_up_the_redirect() {
        use tokio::io::AsyncWriteExt;
        let bound = bind(0).await.unwrap();
        let port = bound.port;
        let waiting = tokio::spawn(accept_redirect(bound, "/cb", "s", CancellationToken::new(), |_| {}));
        // A browser's idle preconnect, and a sender that stops half-way through its request line.
        let _idle = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        slow.write_all(b"GET /cb?co").await.unwrap();
        let started = std::time::Instant::now();
        let http = crate::salesforce::http::build_http_client().unwrap();
        let page = http.get(format!("http://127.0.0.1:{port}/cb?code=abc&state=s")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
        assert!(waiting.await.unwrap().is_some());
    }

    #[test]
    fn the_browser_gets_a_private_page_not_the_url_in_argv() {
        let dir = tempfile::tempdir().unwrap();
        let url = "https://login.salesforce.com/services/oauth2/authorize?client_id=3MVG&state=SeCrEtStAtE&x=<\"";
        let page = redirect_page(url, dir.path()).unwrap();
        assert!(!page.to_string_lossy().contains("SeCrEtStAtE"), "the path carries no state");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&page).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains("state=SeCrEtStAtE"), "{html}");
        assert!(!html.contains("x=<\""), "escaped: {html}");
    }
}
