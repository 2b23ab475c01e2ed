//! The simulator forgets (issue 14 item 11): codes and device grants past their lifetime, and idle connections.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

#[tokio::test]
async fn codes_and_device_grants_are_forgotten_when_they_expire() {
    let config = SimConfig {
        code_ttl: Duration::from_secs(5),
        device_ttl: Duration::from_secs(5),
        device_interval: Duration::ZERO,
        ..auto()
    };
    let sim = Simulator::start(config).await.unwrap();
    let spent = code(&sim, &[]).await;
    assert_eq!(exchange(&sim, &spent, &[]).await.0, StatusCode::OK);
    // One client for the burst: building one per request costs more than the request.
    let client = http();
    let authorize_url = format!("{}/services/oauth2/authorize", sim.base_url());
    let query = [("response_type", "code"), ("client_id", &sim.client_id()), ("redirect_uri", REDIRECT)];
    let started = std::time::Instant::now();
    for _ in 0..50 {
        let response = client.get(&authorize_url).query(&query).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::FOUND);
    }
    let id = sim.client_id();
    for _ in 0..5 {
        let (status, _) = token(&sim, &[("response_type", "device_code"), ("client_id", &id)]).await;
        assert_eq!(status, StatusCode::OK);
    }
    assert!(started.elapsed() < Duration::from_secs(4), "asking took {:?}: too slow to test", started.elapsed());
    assert_eq!(sim.stored_grants(), 1 + 50 + 5, "one spent code, 50 unexchanged, 5 device grants");

    // Past every lifetime and the sweep interval: the next insert forgets them all.
    tokio::time::sleep(Duration::from_millis(6200)).await;
    code(&sim, &[]).await;
    assert_eq!(sim.stored_grants(), 1, "only the code just issued");
    sim.shutdown().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let config = SimConfig { idle_connection_timeout: Duration::from_millis(300), ..auto() };
    let sim = Simulator::start(config).await.unwrap();
    let address = sim.base_url().trim_start_matches("http://").to_string();
    let mut connection = tokio::net::TcpStream::connect(&address).await.unwrap();
    connection.write_all(b"GET /services/data/ HTTP/1.1\r\nHost: sim\r\n\r\n").await.unwrap();
    let mut answer = vec![0u8; 64 * 1024];
    let n = connection.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"), "a keep-alive answer first");

    let started = std::time::Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            // Anything left of the first answer, then the end of the stream.
            if connection.read(&mut answer).await.unwrap_or(0) == 0 {
                break;
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "still open after 3 s of silence");
    assert!(started.elapsed() >= Duration::from_millis(250), "closed too soon: {:?}", started.elapsed());
    sim.shutdown().await;
}
