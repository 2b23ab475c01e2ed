//! Standard Salesforce clients against `sfconnect simulate --tls`, as their users run them (issue #11):
//! simple-salesforce 1.12.10, pinned, in a virtualenv this test makes under `target/` and reuses. Its calls
//! (`query`, `query_all` past 2,000 rows, a relationship query, `limits`, `is_sandbox`, `describe`,
//! `User.describe`, `User.get`, `Organization.get`, `restful('')`, `oauth2('userinfo')`) are made by
//! `standard_clients/simple_salesforce_calls.py`, which prints what it saw; this side checks it.
//! Skipped, with a message saying so, only where python3 is missing. The same for jsforce 3.10.16 (npm, under
//! `target/`), skipped only where node or npm is missing.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const SIMPLE_SALESFORCE: &str = "simple-salesforce==1.12.10";
/// The newest jsforce that runs on Node 20: 3.10.19 and later need Node 22.
const JSFORCE: &str = "jsforce@3.10.16";
/// pip may download on the first run; the calls themselves take a few seconds.
const PIP_TIMEOUT: Duration = Duration::from_secs(300);
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// The simulator child, killed however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn present(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `command` to its end or panics after `timeout`, with its output in the message.
fn run_to_end(command: &mut Command, timeout: Duration, what: &str) -> (String, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: could not start: {e}"));
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (out_reader.join().unwrap(), err_reader.join().unwrap());
    assert!(status.success(), "{what} failed ({status}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    (stdout, stderr)
}

/// A virtualenv with `requirement` installed, made once under `target/` and reused while its marker stands.
fn virtualenv(requirement: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("venv-{}", requirement.replace("==", "-")));
    let python = dir.join("bin").join("python");
    let marker = dir.join(".sfconnect-installed");
    if marker.exists() && python.exists() {
        return python;
    }
    let _ = std::fs::remove_dir_all(&dir);
    run_to_end(
        Command::new("python3").arg("-m").arg("venv").arg(&dir),
        PIP_TIMEOUT,
        "python3 -m venv (on Debian/Ubuntu install python3-venv; .ci/run does)",
    );
    run_to_end(
        Command::new(&python).args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement]),
        PIP_TIMEOUT,
        &format!("pip install {requirement}"),
    );
    std::fs::write(&marker, requirement).unwrap();
    python
}

/// `node_modules` with `package` installed, made once under `target/` and reused while its marker stands.
fn node_modules(package: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("npm-{}", package.replace('@', "-")));
    let marker = dir.join(".sfconnect-installed");
    if marker.exists() {
        return dir.join("node_modules");
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    run_to_end(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix"])
            .arg(&dir)
            .arg(package),
        PIP_TIMEOUT,
        &format!("npm install {package}"),
    );
    std::fs::write(&marker, package).unwrap();
    dir.join("node_modules")
}

/// `sfconnect simulate --tls --auto-approve --org many-users --json`, its CA written into `ca_dir`.
fn start_simulator(ca_dir: &Path) -> (Running, Value) {
    let ca_path = ca_dir.join("simulator-ca.pem");
    let child = Command::new(env!("CARGO_BIN_EXE_sfconnect"))
        .args(["simulate", "--tls", "--auto-approve", "--org", "many-users", "--json", "--ca-out"])
        .arg(&ca_path)
        .env_remove("SFCONNECT_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sfconnect simulate starts");
    let mut running = Running(child);
    let mut line = String::new();
    BufReader::new(running.0.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("simulate --json printed {line:?}: {e}"));
    assert_eq!(ready["ca_pem_path"], ca_path.display().to_string());
    assert!(ready["base_url"].as_str().unwrap().starts_with("https://127.0.0.1:"), "{ready}");
    (running, ready)
}

#[test]
fn simple_salesforce_makes_its_everyday_calls_against_the_simulator_over_https() {
    if !present("python3") {
        eprintln!("SKIPPED simple_salesforce test: python3 is not installed (install CPython 3 with venv and pip)");
        return;
    }
    let started = Instant::now();
    let python = virtualenv(SIMPLE_SALESFORCE);
    let venv_ready = started.elapsed();
    let ca_dir = tempfile::tempdir().unwrap();
    let (_simulator, ready) = start_simulator(ca_dir.path());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/standard_clients/simple_salesforce_calls.py");
    let (stdout, _) = run_to_end(
        Command::new(&python)
            .arg(&script)
            .env("SIM_BASE_URL", ready["base_url"].as_str().unwrap())
            .env("SIM_CLIENT_ID", ready["client_id"].as_str().unwrap())
            .env("SIM_CLIENT_SECRET", ready["client_secret"].as_str().unwrap())
            .env("REQUESTS_CA_BUNDLE", ready["ca_pem_path"].as_str().unwrap())
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy"),
        SCRIPT_TIMEOUT,
        "simple_salesforce_calls.py",
    );
    let seen: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("the script printed {stdout:?}: {e}"));

    assert_eq!(seen["query_records"], 5);
    // many-users: 5,000 users besides the admin, so query_all follows nextRecordsUrl twice.
    assert_eq!(seen["query_all_total"], 5001);
    assert_eq!(seen["relationship_licence"], "Salesforce");
    assert_eq!(seen["daily_api_max"], 100_000);
    assert_eq!(seen["is_sandbox"], false);
    let described: Vec<&str> = seen["described_objects"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(described.contains(&"User") && described.contains(&"Organization"), "{described:?}");
    assert_eq!(seen["user_profile_id_type"], "reference");
    assert_eq!(seen["user_profile_id_reference_to"], serde_json::json!(["Profile"]));
    assert_eq!(seen["user_get_username"], "admin@acme.com");
    assert_eq!(seen["organization_name"], "Acme");
    assert_eq!(seen["resources_have_sobjects"], true);
    assert_eq!(seen["userinfo_user_id"], "0055g00000ADMINAAA");
    eprintln!(
        "simple-salesforce {}: virtualenv ready in {:.1}s, whole test {:.1}s",
        seen["version"],
        venv_ready.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn jsforce_makes_its_everyday_calls_against_the_simulator_over_https() {
    if !present("node") || !present("npm") {
        eprintln!("SKIPPED jsforce test: node or npm is not installed (install Node.js 18 or later with npm)");
        return;
    }
    let started = Instant::now();
    let modules = node_modules(JSFORCE);
    let installed = started.elapsed();
    let ca_dir = tempfile::tempdir().unwrap();
    let (_simulator, ready) = start_simulator(ca_dir.path());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/standard_clients/jsforce_calls.js");
    let (stdout, _) = run_to_end(
        Command::new("node")
            .arg(&script)
            .env("NODE_PATH", &modules)
            .env("SIM_BASE_URL", ready["base_url"].as_str().unwrap())
            .env("SIM_CLIENT_ID", ready["client_id"].as_str().unwrap())
            .env("SIM_CLIENT_SECRET", ready["client_secret"].as_str().unwrap())
            .env("NODE_EXTRA_CA_CERTS", ready["ca_pem_path"].as_str().unwrap())
            .env_remove("HTTPS_PROXY")
            .env_remove("https_proxy"),
        SCRIPT_TIMEOUT,
        "jsforce_calls.js",
    );
    let seen: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("the script printed {stdout:?}: {e}"));
    assert_eq!(seen["query_records"], 5);
    assert_eq!(seen["query_autofetch"], 5001);
    assert_eq!(seen["query_all"], 5001);
    assert_eq!(seen["relationship_licence"], "Salesforce");
    assert_eq!(seen["identity_username"], "admin@acme.com");
    assert_eq!(seen["daily_api_max"], 100_000);
    assert!(seen["described_objects"].as_array().unwrap().iter().any(|o| o == "User"), "{seen}");
    assert_eq!(seen["user_profile_id_type"], "reference");
    assert_eq!(seen["user_retrieve_username"], "admin@acme.com");
    assert_eq!(seen["organization_name"], "Acme");
    eprintln!(
        "jsforce: node_modules ready in {:.1}s, whole test {:.1}s",
        installed.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn simulate_tls_never_overwrites_an_existing_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, "mine").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_sfconnect"))
        .args(["simulate", "--tls", "--ca-out"])
        .arg(&path)
        .env_remove("SFCONNECT_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("could not write the CA certificate") && stderr.contains("already exists"), "{stderr}");
    assert!(stderr.contains("--ca-out"), "the fix names the flag: {stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
}
