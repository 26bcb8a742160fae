//! A small W3C WebDriver client over blocking HTTP, enough to drive
//! ChromeDriver through the pages: open, fill, click, read, screenshot.

use base64::Engine;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    http: reqwest::blocking::Client,
    base: String,
}

#[derive(Clone)]
pub struct Element(String);

impl Browser {
    pub fn new(driver_port: u16, capabilities: Value) -> Browser {
        let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(120)).build().unwrap();
        let root = format!("http://127.0.0.1:{driver_port}");
        let r: Value = http
            .post(format!("{root}/session"))
            .json(&json!({ "capabilities": { "alwaysMatch": capabilities } }))
            .send()
            .expect("chromedriver answers")
            .json()
            .unwrap();
        let id = r["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {r}")).to_string();
        Browser { http, base: format!("{root}/session/{id}") }
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value, String> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r: Value = req.send().map_err(|e| e.to_string())?.json().map_err(|e| e.to_string())?;
        if let Some(err) = r["value"]["error"].as_str() {
            return Err(format!("{err}: {}", r["value"]["message"]));
        }
        Ok(r["value"].clone())
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url }));
    }

    pub fn title(&self) -> String {
        self.get("/title").as_str().unwrap_or_default().to_string()
    }

    pub fn url(&self) -> url::Url {
        url::Url::parse(self.get("/url").as_str().unwrap()).unwrap()
    }

    fn try_find(&self, css: &str) -> Option<Element> {
        let v = self
            .call(reqwest::Method::POST, "/element", Some(json!({ "using": "css selector", "value": css })))
            .ok()?;
        v[ELEMENT_KEY].as_str().map(|s| Element(s.to_string()))
    }

    /// Waits up to 15 s for an element to appear.
    pub fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            if Instant::now() > deadline {
                panic!("no element {css:?} on {}:\n{}", self.url(), self.source());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn exists_id(&self, id: &str) -> bool {
        self.try_find(&format!("#{id}")).is_some()
    }

    pub fn fill(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.post(&format!("/element/{}/clear", e.0), json!({}));
        self.post(&format!("/element/{}/value", e.0), json!({ "text": text }));
    }

    pub fn click(&self, css: &str) {
        let e = self.find(css);
        self.post(&format!("/element/{}/click", e.0), json!({}));
    }

    /// The element's text. A page that is still being replaced (a click
    /// that navigates returns before the new page is there) can leave the
    /// element stale: then it is looked up again.
    pub fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let e = self.find(css);
            match self.call(reqwest::Method::GET, &format!("/element/{}/text", e.0), None) {
                Ok(v) => return v.as_str().unwrap_or_default().to_string(),
                Err(err) if err.starts_with("stale element reference") && Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(err) => panic!("text of {css:?}: {err}"),
            }
        }
    }

    /// Waits up to 15 s for the element's text to contain `needle` (after a
    /// click that navigates, or a script that answers later); returns it.
    pub fn wait_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.text(css);
            if text.contains(needle) || Instant::now() > deadline {
                return text;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn source(&self) -> String {
        self.get("/source").as_str().unwrap_or_default().to_string()
    }

    pub fn execute(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": [] }))
    }

    /// Runs `script` as an asynchronous script: it ends by calling its last
    /// argument with the answer.
    pub fn execute_async(&self, script: &str) -> Value {
        self.post("/execute/async", json!({ "script": script, "args": [] }))
    }

    /// The console's messages since the last call: errors, warnings and
    /// what the Content-Security-Policy refused (the session is made with
    /// `goog:loggingPrefs`, see `browser::browser`).
    pub fn console(&self) -> Vec<String> {
        let v = self.post("/se/log", json!({ "type": "browser" }));
        v.as_array().into_iter().flatten().map(|e| format!("{} {}", e["level"], e["message"])).collect()
    }

    pub fn resize(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({ "width": width, "height": height }));
    }

    pub fn screenshot(&self, path: &std::path::Path) {
        let b64 = self.get("/screenshot");
        let png = base64::engine::general_purpose::STANDARD.decode(b64.as_str().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.http.delete(&self.base).send();
    }
}
