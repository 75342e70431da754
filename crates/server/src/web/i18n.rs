//! Languages and message lookup. The message files are TOML, compiled into the binary;
//! nested tables flatten to dotted keys (`[nav] home = …` is `nav.home`). A placeholder is
//! written `{name}` and filled by [`Lang::tf`].

use std::collections::HashMap;
use std::sync::LazyLock;

/// The message files, by language code, as compiled in (for tests and tools).
pub const MESSAGE_FILES: &[(&str, &str)] =
    &[("zh-CN", include_str!("../../messages/zh-CN.toml")), ("en", include_str!("../../messages/en.toml"))];

/// What a missing message shows.
pub const MISSING: &str = "[?]";

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 简体中文 — the default.
    #[default]
    Zh,
    /// English.
    En,
}

static ZH: LazyLock<HashMap<String, String>> = LazyLock::new(|| load(MESSAGE_FILES[0].1));
static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| load(MESSAGE_FILES[1].1));

/// Parses a message file into dotted keys; a file that does not parse gives no messages
/// (the tests parse both files, so that cannot ship).
pub fn load(text: &str) -> HashMap<String, String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
        for (k, v) in table {
            let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            match v {
                toml::Value::Table(t) => walk(&key, t, out),
                toml::Value::String(s) => {
                    out.insert(key, s.clone());
                }
                toml::Value::Integer(n) => {
                    out.insert(key, n.to_string());
                }
                _ => {}
            }
        }
    }
    let mut out = HashMap::new();
    match text.parse::<toml::Table>() {
        Ok(table) => walk("", &table, &mut out),
        Err(e) => tracing::error!(error = %e, "a message file does not parse"),
    }
    out
}

impl Lang {
    /// Both languages.
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// The BCP 47 code, as in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// Parses `zh-CN`, `zh`, `en` (case-insensitive).
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    fn table(self) -> &'static HashMap<String, String> {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The message `key`, if this language has it.
    pub fn get(self, key: &str) -> Option<&'static str> {
        self.table().get(key).map(String::as_str)
    }

    /// The message `key`, falling back to zh-CN, then to a visible marker (a test checks
    /// that every key the pages use exists in both files).
    pub fn t(self, key: &str) -> &'static str {
        self.get(key).or_else(|| Lang::Zh.get(key)).unwrap_or(MISSING)
    }

    /// The message `key` with `{name}` placeholders filled.
    pub fn tf(self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}
