//! The templates in force: the newest saved version of each event × channel over the
//! built-in version 1, read at most every half minute (saving one clears the cache).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tongban_core::notice::{Channel, NoticeEvent, NoticeTemplate};

use crate::{App, AppError};

/// How long the templates read are trusted.
const FRESH_FOR: Duration = Duration::from_secs(30);

/// Templates by event and channel.
type ByKey = HashMap<(NoticeEvent, Channel), NoticeTemplate>;

/// The saved templates, as last read.
#[derive(Debug, Default)]
pub struct TemplateCache {
    saved: RwLock<Option<(Instant, Arc<ByKey>)>>,
}

impl TemplateCache {
    /// Forgets what was read (a template was saved here).
    pub fn clear(&self) {
        if let Ok(mut g) = self.saved.write() {
            *g = None;
        }
    }
}

/// The templates in force for every event and channel.
pub(crate) async fn in_force(state: &App) -> Result<Templates, AppError> {
    if let Ok(g) = state.notice_templates.saved.read()
        && let Some((at, map)) = g.as_ref()
        && at.elapsed() < FRESH_FOR
    {
        return Ok(Templates(Arc::clone(map)));
    }
    let mut map = HashMap::new();
    for (event, channel, _, body) in state.store.notice_templates().await? {
        let Some(event) = NoticeEvent::parse(&event) else { continue };
        match serde_json::from_str::<NoticeTemplate>(&body) {
            Ok(t) => {
                map.insert((event, channel), t);
            }
            Err(e) => {
                tracing::warn!(%event, %channel, error = %e, "a saved notice template is unreadable; built-in used")
            }
        }
    }
    let map = Arc::new(map);
    if let Ok(mut g) = state.notice_templates.saved.write() {
        *g = Some((Instant::now(), Arc::clone(&map)));
    }
    Ok(Templates(map))
}

/// The templates in force at one moment.
#[derive(Debug, Clone, Default)]
pub(crate) struct Templates(Arc<ByKey>);

impl Templates {
    /// The template of `event` on `channel`: the newest saved, else the built-in one.
    pub(crate) fn get(&self, event: NoticeEvent, channel: Channel) -> NoticeTemplate {
        self.0.get(&(event, channel)).cloned().unwrap_or_else(|| NoticeTemplate::builtin(event, channel))
    }
}
