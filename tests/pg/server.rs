//! A throwaway PostgreSQL server for one test: made by `initdb` in a temporary folder, started
//! by `pg_ctl` on a free port of 127.0.0.1, stopped and removed when dropped. The binaries are
//! those of Debian's `postgresql` package; without them the test fails saying so. When the
//! tests run as root, the server runs as `nobody` (PostgreSQL refuses to run as root).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use tempfile::TempDir;

/// The superuser of the throwaway cluster, trusted on 127.0.0.1 without a password.
const SUPERUSER: &str = "tallyclerk";

pub struct Server {
    _temp: TempDir,
    data: PathBuf,
    bin: PathBuf,
    pub port: u16,
    run_as_nobody: bool,
    /// Whether commits wait for the disk: off for tests (faster, and a test's server dies
    /// with it), on for benchmarks of durable saves.
    fsync: bool,
}

/// The folder of `initdb` and `pg_ctl`: the highest version under /usr/lib/postgresql.
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "These tests need a PostgreSQL server of their own: install Debian's `postgresql` \
             package (apt-get install postgresql), which puts initdb and pg_ctl in \
             /usr/lib/postgresql/VERSION/bin; .ci/run installs it when it is missing"
        ),
    }
}

fn output(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().unwrap();
    assert!(out.status.success(), "{cmd} {args:?} failed");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

impl Server {
    /// Makes and starts a server; panics (failing the test) when it cannot.
    pub fn start() -> Server {
        Server::start_with(false)
    }

    /// A server whose commits reach the disk, as a real one's do (for benchmarks).
    #[allow(dead_code)] // used by benches/stations.rs, which includes this file
    pub fn start_durable() -> Server {
        Server::start_with(true)
    }

    fn start_with(fsync: bool) -> Server {
        let bin = bin_dir();
        let temp = tempfile::tempdir().unwrap();
        let run_as_nobody = output("id", &["-u"]) == "0";
        if run_as_nobody {
            let uid: u32 = output("id", &["-u", "nobody"]).parse().unwrap();
            let gid: u32 = output("id", &["-g", "nobody"]).parse().unwrap();
            std::os::unix::fs::chown(temp.path(), Some(uid), Some(gid)).unwrap();
        }
        let data = temp.path().join("data");
        let mut server = Server {
            data,
            bin,
            port: 0,
            run_as_nobody,
            fsync,
            _temp: temp,
        };
        let data = server.data.to_str().unwrap().to_string();
        server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
        );
        // A free port now may be taken before the server binds it: a few tries.
        for _ in 0..5 {
            server.port = free_port();
            if server.pg_ctl_start() {
                return server;
            }
        }
        panic!("the test PostgreSQL server did not start: {}", server.log());
    }

    fn command(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.run_as_nobody {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "nobody", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn log_path(&self) -> PathBuf {
        self.data.parent().unwrap().join("server.log")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn pg_ctl_start(&self) -> bool {
        let socket_dir = self.data.parent().unwrap().to_str().unwrap().to_string();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {socket_dir} -c fsync={}",
            self.port,
            if self.fsync { "on" } else { "off" }
        );
        self.command("pg_ctl")
            .args(["-D", self.data.to_str().unwrap(), "-l"])
            .arg(self.log_path())
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .output()
            .unwrap()
            .status
            .success()
    }

    /// Stops the server at once, as a crash of its host or a pulled cable would (for fault
    /// tests); [`Server::restart`] starts it again.
    #[allow(dead_code)] // used by the fault tests, not by benches/stations.rs, which includes this file
    pub fn stop(&self) {
        self.run(
            "pg_ctl",
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }

    /// Starts the stopped server again on the same port.
    #[allow(dead_code)] // used by the fault tests, not by benches/stations.rs
    pub fn restart(&self) {
        assert!(
            self.pg_ctl_start(),
            "the test PostgreSQL server did not start again: {}",
            self.log()
        );
    }

    /// A new, empty database and its URL.
    pub fn database(&self, name: &str) -> String {
        let mut admin = postgres::Client::connect(
            &format!("postgres://{SUPERUSER}@127.0.0.1:{}/postgres", self.port),
            postgres::NoTls,
        )
        .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .unwrap();
        self.url(name)
    }

    /// The URL of database `name`.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// A connection to database `name`, for a test to look inside.
    pub fn client(&self, name: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(name), postgres::NoTls).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args([
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ])
            .output();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
