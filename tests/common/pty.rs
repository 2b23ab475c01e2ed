//! The real binary in a real pseudo-terminal, its screen kept by a terminal emulator (vt100), driven by
//! keys as a person would. Waits are for text on screen, with generous limits for slow CI machines.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, NativePtySystem, PtySize, PtySystem};

pub struct PtyApp {
    parser: Arc<Mutex<vt100::Parser>>,
    bytes: Arc<Mutex<u64>>,
    /// Set when the reader has seen the end of the program's output.
    eof: Arc<std::sync::atomic::AtomicBool>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl PtyApp {
    /// Starts `sfconnect ARGS` at `cols`x`rows` with a plain environment (no SSH, no display).
    pub fn spawn(args: &[&str], cols: u16, rows: u16, envs: &[(&str, &str)], cwd: &Path) -> PtyApp {
        Self::spawn_program(env!("CARGO_BIN_EXE_sfconnect"), args, cols, rows, envs, cwd)
    }

    /// Starts any program the same way (the benchmark's baseline uses `printf`).
    pub fn spawn_program(
        program: &str,
        args: &[&str],
        cols: u16,
        rows: u16,
        envs: &[(&str, &str)],
        cwd: &Path,
    ) -> PtyApp {
        let pty = NativePtySystem::default()
            .openpty(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env_clear();
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", cwd);
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("binary starts in the pty");
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("pty reader");
        let writer = pty.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(rows).unwrap(),
            std::num::NonZeroU16::new(cols).unwrap(),
            0,
        )));
        let bytes = Arc::new(Mutex::new(0u64));
        let (p, b) = (parser.clone(), bytes.clone());
        let eof = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = eof.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                p.lock().unwrap().process(&buf[..n]);
                *b.lock().unwrap() += n as u64;
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        PtyApp { parser, bytes, eof, writer, child, _master: pty.master }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// The screen's rows as the terminal shows them, each on its own (contents() joins a row the terminal
    /// wrapped to the next, which hides where it cut).
    pub fn rows(&self) -> Vec<String> {
        let parser = self.parser.lock().unwrap();
        let cols = parser.screen().size().1;
        parser.screen().rows(0, cols.into()).collect()
    }

    /// True while the program shows the alternate (full-screen) buffer.
    pub fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    /// True while the program has hidden the cursor.
    pub fn cursor_hidden(&self) -> bool {
        self.parser.lock().unwrap().screen().hide_cursor()
    }

    pub fn bytes_read(&self) -> u64 {
        *self.bytes.lock().unwrap()
    }

    /// Waits until `text` is on screen; panics with the screen if it never shows.
    pub fn wait_for(&self, text: &str, limit: Duration) {
        let started = Instant::now();
        while started.elapsed() < limit {
            if self.screen().contains(text) {
                return;
            }
            // Short polls: the benchmark measures time to first frame with this.
            std::thread::sleep(Duration::from_millis(2));
        }
        panic!("`{text}` never appeared within {limit:?}; the screen:\n{}", self.screen());
    }

    /// Sends raw bytes (keys) and lets the app take them in.
    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(120));
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Waits for the process to end and returns its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<u32> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader take in the last bytes (the terminal restore) before anyone looks.
                while !self.eof.load(std::sync::atomic::Ordering::SeqCst) && started.elapsed() < limit {
                    std::thread::sleep(Duration::from_millis(5));
                }
                return Some(status.exit_code());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for PtyApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub const ENTER: &str = "\r";
pub const ESC: &str = "\x1b";
pub const TAB: &str = "\t";
pub const DOWN: &str = "\x1b[B";
pub const CTRL_C: &str = "\x03";
pub const CTRL_O: &str = "\x0f";
pub const CTRL_N: &str = "\x0e";
