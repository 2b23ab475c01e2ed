//! Benchmark of the wizard in a real pseudo-terminal (not a timed test; run it by hand):
//!
//!     cargo bench --bench tui_idle            # 60 s idle on the propagation screen
//!     SFCONNECT_BENCH_IDLE_SECS=10 cargo bench --bench tui_idle
//!
//! Reports time to first frame (spawn until the first screen is complete, median of 10 starts, less the
//! harness's own cost measured with `printf` printing the same marker), peak
//! memory (VmHWM), CPU time and bytes written to the terminal while idle on the propagation screen,
//! where a countdown ticks once a second. Linux only (reads /proc).

#[path = "../tests/common/pty.rs"]
mod pty;

use std::time::{Duration, Instant};

use pty::{ENTER, PtyApp};

const LIMIT: Duration = Duration::from_secs(30);

fn proc_field(pid: u32, file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/{file}")).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0);
    let stime: u64 = fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
    utime + stime
}

fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("sfconnect-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let args = ["--demo", "--demo-live-after", "3600", "--no-clipboard"];

    // The harness's own cost (opening a pty, spawning, reading, emulating) measured with a program that
    // prints the same marker at once; subtracted so the figure is sfconnect's own start.
    let mut baseline = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        let app = PtyApp::spawn_program("printf", &["Enter continue"], 80, 24, &[], &dir);
        app.wait_for("Enter continue", LIMIT);
        baseline.push(started.elapsed());
    }
    baseline.sort();
    let overhead = baseline[baseline.len() / 2];
    let mut firsts = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        let app = PtyApp::spawn(&args, 80, 24, &[], &dir);
        app.wait_for("Enter continue", LIMIT);
        firsts.push(started.elapsed());
    }
    firsts.sort();
    let median = firsts[firsts.len() / 2];

    let idle_secs: u64 = std::env::var("SFCONNECT_BENCH_IDLE_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(60);
    let mut app = PtyApp::spawn(&args, 80, 24, &[], &dir);
    app.wait_for("Enter continue", LIMIT);
    for _ in 0..5 {
        app.send(ENTER);
    }
    app.wait_for("skip the wait", LIMIT);
    std::thread::sleep(Duration::from_secs(2));
    let pid = app.pid().expect("pid");
    let (bytes0, ticks0, t0) = (app.bytes_read(), cpu_ticks(pid), Instant::now());
    std::thread::sleep(Duration::from_secs(idle_secs));
    let (bytes1, ticks1, elapsed) = (app.bytes_read(), cpu_ticks(pid), t0.elapsed().as_secs_f64());
    let peak_kib = proc_field(pid, "status", "VmHWM:").unwrap_or(0);
    let cpu_secs = (ticks1 - ticks0) as f64 / clock_ticks_per_second();

    println!("sfconnect TUI benchmark (80x24 pseudo-terminal, release build, demo mode)");
    println!(
        "  time to first frame   median {:.1} ms after the harness's own {:.1} ms (raw median {:.1}, min {:.1}, max {:.1}; 10 starts)",
        ms(median.saturating_sub(overhead)),
        ms(overhead),
        ms(median),
        ms(firsts[0]),
        ms(firsts[9])
    );
    println!("  peak memory (VmHWM)   {:.1} MB", peak_kib as f64 / 1024.0);
    println!("  idle on propagation   {elapsed:.0} s");
    println!("    CPU time            {cpu_secs:.2} s = {:.3} % of a core", 100.0 * cpu_secs / elapsed);
    println!("    bytes to terminal   {} = {:.0} bytes/s", bytes1 - bytes0, (bytes1 - bytes0) as f64 / elapsed);
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
