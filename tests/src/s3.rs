//! A real S3-compatible server for the photo-store tests (issue 15): `s3s-fs` from crates.io
//! (`cargo install s3s-fs --version 0.14.1 --locked --features binary`, which `.ci/run` does),
//! started as a subprocess on a free port over a temporary directory. Its buckets are directories
//! and its objects files under them, so a test can see what the bucket holds on disk too.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jifen_server::infra::config::{Config, S3Location, Secret};

/// The credentials the server is started with.
pub const ACCESS_KEY: &str = "jifen-test-key";
pub const SECRET_KEY: &str = "jifen-test-secret-0123456789";
/// The bucket, and the prefix the tests keep photos under.
pub const BUCKET: &str = "jifen-photos";
pub const PREFIX: &str = "county/photos";

/// A running `s3s-fs`, stopped and its directory removed when dropped.
pub struct S3Server {
    child: Option<Child>,
    root: PathBuf,
    pub endpoint: String,
}

/// The `s3s-fs` binary: `JIFEN_S3S_FS`, else on `PATH`, else in `~/.cargo/bin`.
fn binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("JIFEN_S3S_FS") {
        return Some(PathBuf::from(path));
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let home = std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin"));
    on_path
        .into_iter()
        .chain(home)
        .map(|dir| dir.join("s3s-fs"))
        .find(|p| p.is_file())
}

impl S3Server {
    /// Starts `s3s-fs` with an empty bucket. Without the binary: `None` and a printed notice,
    /// unless `JIFEN_REQUIRE_S3` is set (as `scripts/test.sh` does), which fails the test instead.
    pub fn start() -> Option<Self> {
        let Some(binary) = binary() else {
            assert!(
                std::env::var_os("JIFEN_REQUIRE_S3").is_none(),
                "JIFEN_REQUIRE_S3 is set but s3s-fs is not installed: \
                 cargo install s3s-fs --version 0.14.1 --locked --features binary"
            );
            eprintln!(
                "NOTICE: s3s-fs is not installed; skipping this object-storage test \
                 (cargo install s3s-fs --version 0.14.1 --locked --features binary)"
            );
            return None;
        };
        let root = std::env::temp_dir().join(format!("jifen-s3-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(root.join(BUCKET)).expect("the bucket's directory");
        // A free port can be taken by someone else between our probe and the server's bind:
        // then the server exits, and another port is tried.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port();
            let mut child = Command::new(&binary)
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
                .arg(&root)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
            let address = SocketAddr::from(([127, 0, 0, 1], port));
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                    return Some(Self {
                        child: Some(child),
                        root,
                        endpoint: format!("http://{address}"),
                    });
                }
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("s3s-fs did not start");
    }

    /// Points a server's configuration at this store's bucket, under [`PREFIX`].
    pub fn configure(&self, config: &mut Config) {
        config.photo_store =
            Some(S3Location::parse(&format!("s3://{BUCKET}/{PREFIX}")).expect("a valid location"));
        config.s3.endpoint = Some(self.endpoint.clone());
        config.s3.region = Some("us-east-1".into());
        config.s3.access_key_id = Some(ACCESS_KEY.into());
        config.s3.secret_access_key = Some(Secret::new(SECRET_KEY));
        config.s3.allow_http = true;
        config.s3.path_style = true;
    }

    /// Names of the objects under [`PREFIX`], as the store keeps them on its disk.
    pub fn objects(&self) -> Vec<String> {
        let dir = self.root.join(BUCKET).join(PREFIX);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| !n.starts_with('.'))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// The bytes of object `name` under [`PREFIX`], read from the store's disk.
    pub fn object(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.root.join(BUCKET).join(PREFIX).join(name)).ok()
    }

    /// Stops the store, as when it goes down.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}
