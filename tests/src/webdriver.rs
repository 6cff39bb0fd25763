//! A small WebDriver (W3C) client over HTTP, enough for Jifen's browser stories: start
//! chromedriver, open headless Chromium at a given viewport, find, click, type, wait, screenshot.
//! Waits poll for a condition with a deadline; there are no fixed sleeps.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const WAIT: Duration = Duration::from_secs(20);

/// A chromedriver process, stopped on drop.
pub struct Driver {
    process: Child,
    base: String,
    client: reqwest::Client,
}

impl Driver {
    pub async fn start() -> anyhow::Result<Self> {
        let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let process = Command::new(&binary)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                anyhow::anyhow!("cannot start {binary} (install Debian's chromium-driver): {e}")
            })?;
        let driver = Self {
            process,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
        };
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(res) = driver
                .client
                .get(format!("{}/status", driver.base))
                .send()
                .await
            {
                let ready = res
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|v| v["value"]["ready"].as_bool());
                if ready == Some(true) {
                    return Ok(driver);
                }
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Opens headless Chromium with a viewport of `width`×`height` CSS pixels.
    pub async fn browser(&self, name: &str, width: u32, height: u32) -> anyhow::Result<Browser> {
        let profile =
            std::env::temp_dir().join(format!("jifen-chrome-{}", uuid::Uuid::new_v4().simple()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("CHROME_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-dev-shm-usage", "--no-first-run", "--disable-component-update", "--disable-sync",
                    "--lang=zh-CN", format!("--user-data-dir={}", profile.display()),
                    format!("--window-size={width},{height}")],
                // Headless Chromium leaves `--lang` out of `Accept-Language`; the server's own
                // pages (the public board) speak the language the browser asks for.
                "prefs": {"intl.accept_languages": "zh-CN,zh"}
            },
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let res: Value = self
            .client
            .post(format!("{}/session", self.base))
            .json(&caps)
            .send()
            .await?
            .json()
            .await?;
        let session = res["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no session: {res}"))?
            .to_owned();
        let browser = Browser {
            base: format!("{}/session/{session}", self.base),
            client: self.client.clone(),
            name: name.to_owned(),
            shots: 0,
            profile,
        };
        // The window size includes no browser chrome in headless mode; make sure of the viewport.
        browser
            .cmd(
                "POST",
                "/window/rect",
                json!({"width": width, "height": height}),
            )
            .await?;
        Ok(browser)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

pub struct Browser {
    base: String,
    client: reqwest::Client,
    name: String,
    shots: u32,
    /// The browser's own profile directory, which also names its processes.
    profile: PathBuf,
}

impl Drop for Browser {
    /// A story that fails never closes its session; end that browser's processes (found by their
    /// unique profile directory) and remove the profile.
    fn drop(&mut self) {
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", &self.profile.display().to_string()])
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Where screenshots go: `target/screenshots/` of the workspace.
pub fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots")
}

impl Browser {
    async fn cmd(&self, method: &str, path: &str, body: Value) -> anyhow::Result<Value> {
        let url = format!("{}{}", self.base, path);
        let req = match method {
            "GET" => self.client.get(url),
            "DELETE" => self.client.delete(url),
            _ => self.client.post(url).json(&body),
        };
        let res: Value = req.send().await?.json().await?;
        if let Some(err) = res["value"]["error"].as_str() {
            anyhow::bail!(
                "{err}: {}",
                res["value"]["message"].as_str().unwrap_or_default()
            );
        }
        Ok(res["value"].clone())
    }

    /// A Chrome DevTools command, through chromedriver's `goog/cdp/execute`: network emulation
    /// (`Network.emulateNetworkConditions`), say.
    pub async fn cdp(&self, cmd: &str, params: Value) -> anyhow::Result<Value> {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            json!({"cmd": cmd, "params": params}),
        )
        .await
    }

    /// Cuts the page off the network (`offline`) or gives it back, as DevTools' switch does.
    pub async fn set_offline(&self, offline: bool) -> anyhow::Result<()> {
        self.cdp("Network.enable", json!({})).await?;
        self.cdp(
            "Network.emulateNetworkConditions",
            json!({"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
        )
        .await
        .map(|_| ())
    }

    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        self.cmd("POST", "/url", json!({"url": url}))
            .await
            .map(|_| ())
    }

    pub async fn execute(&self, script: &str, args: Value) -> anyhow::Result<Value> {
        self.cmd(
            "POST",
            "/execute/sync",
            json!({"script": script, "args": args}),
        )
        .await
    }

    async fn find_now(&self, css: &str) -> Option<String> {
        let v = self
            .cmd(
                "POST",
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await
            .ok()?;
        v[ELEMENT].as_str().map(str::to_owned)
    }

    /// Waits until `condition` holds, or fails with a screenshot of the page as it was.
    pub async fn wait_until<F, Fut>(&mut self, what: &str, mut condition: F) -> anyhow::Result<()>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if condition().await {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let shot = self
            .screenshot(&format!("timeout-{}", what.replace(' ', "-")))
            .await
            .ok();
        anyhow::bail!("timed out waiting for {what} (screenshot: {shot:?})")
    }

    /// Waits for an element to be present and returns its id.
    pub async fn find(&mut self, css: &str) -> anyhow::Result<String> {
        let mut found = None;
        let this = &*self;
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Some(id) = this.find_now(css).await {
                found = Some(id);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        match found {
            Some(id) => Ok(id),
            None => {
                let shot = self
                    .screenshot(&format!(
                        "missing-{}",
                        css.replace([' ', '#', '.', '[', ']', '"', '='], "_")
                    ))
                    .await
                    .ok();
                anyhow::bail!("no element matches {css} (screenshot: {shot:?})")
            }
        }
    }

    /// Clicks an element after scrolling it to the middle of the screen, as a person would
    /// before tapping (the fixed tab bar covers the bottom edge).
    pub async fn click(&mut self, css: &str) -> anyhow::Result<()> {
        let id = self.find(css).await?;
        self.execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            json!([{ ELEMENT: id }]),
        )
        .await?;
        self.cmd("POST", &format!("/element/{id}/click"), json!({}))
            .await
            .map(|_| ())
    }

    /// Types into a field after clearing it.
    pub async fn fill(&mut self, css: &str, text: &str) -> anyhow::Result<()> {
        let id = self.find(css).await?;
        self.cmd("POST", &format!("/element/{id}/clear"), json!({}))
            .await?;
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            json!({"text": text}),
        )
        .await
        .map(|_| ())
    }

    /// Gives a file input a file from disk.
    pub async fn attach(&mut self, css: &str, path: &std::path::Path) -> anyhow::Result<()> {
        let id = self.find(css).await?;
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            json!({"text": path.display().to_string()}),
        )
        .await
        .map(|_| ())
    }

    /// Picks an `<option>` of a `<select>` by its value, as a person would.
    pub async fn select(&mut self, css: &str, value: &str) -> anyhow::Result<()> {
        self.click(&format!("{css} option[value=\"{value}\"]"))
            .await
    }

    pub async fn text(&mut self, css: &str) -> anyhow::Result<String> {
        let id = self.find(css).await?;
        Ok(self
            .cmd("GET", &format!("/element/{id}/text"), json!({}))
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Waits until the element's text contains `needle`.
    pub async fn wait_for_text(&mut self, css: &str, needle: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Some(id) = self.find_now(css).await {
                if let Ok(v) = self
                    .cmd("GET", &format!("/element/{id}/text"), json!({}))
                    .await
                {
                    last = v.as_str().unwrap_or_default().to_owned();
                    if last.contains(needle) {
                        return Ok(());
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let shot = self.screenshot("timeout-text").await.ok();
        anyhow::bail!("{css} never showed {needle:?}; last text {last:?} (screenshot: {shot:?})")
    }

    pub async fn current_path(&self) -> anyhow::Result<String> {
        Ok(self
            .execute("return location.pathname", json!([]))
            .await?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// Waits until the address bar shows a path starting with `prefix`.
    pub async fn wait_for_path(&mut self, prefix: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            let path = self.current_path().await?;
            if path.starts_with(prefix) {
                return Ok(path);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let shot = self.screenshot("timeout-path").await.ok();
        anyhow::bail!("never reached {prefix} (screenshot: {shot:?})")
    }

    /// Saves a PNG of the viewport as `target/screenshots/<story>-<n>-<step>.png`.
    pub async fn screenshot(&mut self, step: &str) -> anyhow::Result<PathBuf> {
        use base64::Engine;
        self.shots += 1;
        let data = self.cmd("GET", "/screenshot", json!({})).await?;
        let png =
            base64::engine::general_purpose::STANDARD.decode(data.as_str().unwrap_or_default())?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{}-{:02}-{step}.png", self.name, self.shots));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Prints the page as Chromium's print-to-PDF does (A4 portrait, with the page's print
    /// stylesheet), keeps the PDF and turns its first page into a PNG with `pdftoppm` (Debian's
    /// poppler-utils); answers the PNG's path and the PDF's page count (`pdfinfo`).
    pub async fn print_first_page(&mut self, step: &str) -> anyhow::Result<(PathBuf, usize)> {
        use base64::Engine;
        self.shots += 1;
        let data = self
            .cmd(
                "POST",
                "/print",
                json!({"orientation": "portrait", "page": {"width": 21.0, "height": 29.7},
                    "background": true}),
            )
            .await?;
        let pdf =
            base64::engine::general_purpose::STANDARD.decode(data.as_str().unwrap_or_default())?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let stem = dir.join(format!("{}-{:02}-{step}", self.name, self.shots));
        let pdf_path = stem.with_extension("pdf");
        std::fs::write(&pdf_path, &pdf)?;
        let status = Command::new("pdftoppm")
            .args(["-png", "-r", "96", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&pdf_path)
            .arg(&stem)
            .status()?;
        anyhow::ensure!(
            status.success(),
            "pdftoppm failed on {}",
            pdf_path.display()
        );
        let info = Command::new("pdfinfo").arg(&pdf_path).output()?;
        let pages = String::from_utf8_lossy(&info.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        Ok((stem.with_extension("png"), pages))
    }

    /// The browser console's messages so far (for diagnosing a failed story).
    pub async fn console(&self) -> String {
        match self
            .cmd("POST", "/se/log", json!({"type": "browser"}))
            .await
        {
            Ok(Value::Array(entries)) => entries
                .iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["level"].as_str().unwrap_or_default(),
                        e["message"].as_str().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            other => format!("{other:?}"),
        }
    }

    pub async fn close(self) {
        let _ = self.cmd("DELETE", "", json!({})).await;
    }
}
