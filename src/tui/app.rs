//! The explorer's state and `App::update`, the only place it changes: every [`Event`] goes through it.
//! Navigation, labeling, prompts and what the background reports live in `app_nav.rs`, `app_label.rs`,
//! `app_prompt.rs` and `app_events.rs`; the list's order, cursor and selection are [`ListState`]'s.

use std::sync::Arc;

use crossterm::event::KeyEvent;

use super::command::Command;
use super::config::{Config, ImageMode};
use super::data::{ExplorerData, ProxyScores};
use super::dynamics::{BinCurve, Dynamics};
use super::estimate_state::{EstimateState, Training};
use super::event::Event;
use super::gallery::{gallery_rows, GalleryRows};
use super::history::History;
use super::keymap::{input_key, Keymap};
use super::list_state::ListState;
use super::order::{visible_order, OrderInputs};
use super::recompute::{OrderKey, RecomputeInput};
use super::scores::Scores;
use super::tags::Tags;
use super::theme::Theme;
use crate::proxy::Comparison;
use crate::store::TagRow;

pub use super::app_types::{Message, Mode, Request, View};

/// The proxy the list shows: `wanted` (picked with `p`, else the config's) where it exists, else the
/// fused estimate, else learning speed, else the first. Asked again whenever the proxies change.
pub(super) fn shown_proxy(proxies: &[ProxyScores], wanted: Option<&str>) -> Option<usize> {
    let at = |name: &str| proxies.iter().position(|p| p.name == name);
    wanted
        .and_then(at)
        .or_else(|| at(crate::proxy::FUSED))
        .or_else(|| at("learning_speed"))
        .or_else(|| (!proxies.is_empty()).then_some(0))
}

/// The whole state of the explorer.
pub struct App {
    /// Dataset, injected ground truth, proxies.
    pub data: ExplorerData,
    /// Aggregate and training progress.
    pub est: EstimateState,
    /// Per-example estimate figures.
    pub scores: Scores,
    /// Tags, relabels, notes (as committed to the workspace).
    pub tags: Tags,
    /// Learning dynamics, once loaded.
    pub dynamics: Option<Arc<Dynamics>>,
    /// Mean learning curve per C-score bin.
    pub bin_curves: Vec<BinCurve>,
    /// Proxy comparison, once computed.
    pub comparison: Option<Comparison>,
    /// Gallery contents and cursor.
    pub gallery: GalleryRows,
    /// Selected row of the class summary (0: every class; then class c at c + 1).
    pub class_cursor: usize,
    /// The ranked list: order, cursor, range selection, sort, filter, last search.
    pub list: ListState,
    /// The next tag applies to every shown row (after a confirmation).
    pub bulk_armed: bool,
    /// Keyboard mode.
    pub mode: Mode,
    /// Main view.
    pub view: View,
    /// The proxy shown in the list (index into `data.proxies`).
    pub proxy: Option<usize>,
    /// The proxy asked for by name (picked with `p`, else the config's), shown once it exists.
    pub(super) proxy_wanted: Option<String>,
    /// Page of the preview (0: the image; then the text, every proxy score, a pane at a time).
    pub preview_page: usize,
    /// Undo/redo.
    pub history: History,
    /// Bottom-line message.
    pub message: Option<Message>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Key bindings.
    pub keymap: Keymap,
    /// Styles.
    pub theme: Theme,
    /// How images are drawn.
    pub images: ImageMode,
    /// Set when the user quits.
    pub quit: bool,
    /// Something changed since the last draw.
    pub dirty: bool,
    /// Why the images are not shown (`None` once they are): the dataset's pixels are still loading, or
    /// failed to.
    pub images_missing: Option<String>,
    /// Label writes sent to the workspace and not yet committed ("saving…").
    pub saving: usize,
    pub(super) requests: Vec<Request>,
    pub(super) scores_stale: bool,
    pub(super) recomputing: bool,
    pub(super) next_write: u64,
    /// Undo and redo wait until the label writes before them are committed.
    pub(super) deferred: Vec<Command>,
    pub(super) proxies_version: u64,
}

impl App {
    /// A new explorer over `data` (computes the scores, the gallery and the order: call it off the UI
    /// task for a large dataset). Label changes go through the workspace thread as [`Request::Save`].
    pub fn new(
        data: ExplorerData,
        est: EstimateState,
        tags: Vec<TagRow>,
        config: &Config,
        theme: Theme,
    ) -> Self {
        let n = data.len();
        let proxy = shown_proxy(&data.proxies, config.proxy.as_deref());
        let scores = Scores::compute(&est.agg);
        let mut gallery = GalleryRows::default();
        let tie = data.fused_rank();
        gallery.set_rows(gallery_rows(&data.dataset.labels, &scores.cscore, tie, data.dataset.num_classes()));
        let mut app = App {
            scores,
            tags: Tags::new(n, tags),
            data,
            est,
            dynamics: None,
            bin_curves: Vec::new(),
            comparison: None,
            gallery,
            class_cursor: 0,
            list: ListState::default(),
            bulk_armed: false,
            mode: Mode::Normal,
            view: View::List,
            proxy,
            proxy_wanted: config.proxy.clone(),
            preview_page: 0,
            history: History::default(),
            message: None,
            size: (80, 24),
            keymap: config.keymap.clone(),
            theme,
            images: config.images,
            quit: false,
            dirty: true,
            images_missing: None,
            saving: 0,
            requests: vec![Request::LoadDynamics],
            scores_stale: false,
            recomputing: false,
            next_write: 0,
            deferred: Vec::new(),
            proxies_version: 0,
        };
        if !app.data.dataset.has_pixels() {
            app.images_missing = Some("loading the images…".into());
        }
        app.reorder();
        app
    }

    /// What a key press means now: a command, or prompt editing while a prompt is open (`None`: a key
    /// bound to nothing).
    fn resolve_key(&self, key: &KeyEvent) -> Option<Event> {
        match &self.mode {
            Mode::Prompt(p) => input_key(key, p.is_confirmation()).map(Event::Input),
            _ => self.keymap.command(key).map(Event::Command),
        }
    }

    /// Applies one event. Figures that depend on the estimate are refreshed through [`App::settle`].
    pub fn update(&mut self, event: Event) {
        let event = match event {
            Event::Key(k) => match self.resolve_key(&k) {
                Some(resolved) => resolved,
                None => return,
            },
            Event::Tick => {
                // rates and ETA move only while training
                self.dirty |= matches!(self.est.training, Training::Running { .. });
                return;
            }
            other => other,
        };
        self.dirty = true;
        match event {
            Event::Command(c) => match self.mode {
                Mode::Help(_) => self.help_command(c),
                _ => self.command(c),
            },
            Event::Input(k) => self.input(k),
            Event::Resize(w, h) => self.resize(w, h),
            Event::Key(_) | Event::Tick => {}
            Event::Worker(m) => self.worker(m),
            Event::Store(change) => self.store_change(change),
            Event::Dynamics(d) => {
                self.dynamics = Some(Arc::new(*d));
                self.scores_stale = true;
            }
            Event::Comparison(c) => self.comparison = *c,
            Event::Saved(s) => self.saved(*s),
            Event::Recomputed(d) => self.install(*d),
            Event::Notice(Ok(text)) => self.info(text),
            Event::Notice(Err(text)) => self.error(text),
            Event::Pixels(loaded) => self.pixels_loaded(*loaded),
        }
    }

    /// After a burst of events (once per drained inbox): asks for the figures that depend on the
    /// estimate when runs arrived, one recomputation at a time, on a job thread.
    pub fn settle(&mut self) {
        if !self.scores_stale || self.recomputing {
            return;
        }
        self.scores_stale = false;
        self.recomputing = true;
        self.requests.push(Request::Recompute(Box::new(RecomputeInput {
            agg: Arc::clone(&self.est.agg),
            dynamics: self.dynamics.clone(),
            data: self.data.clone(),
            tags: self.tags.snapshot(),
            order: self.order_key(),
        })));
    }

    /// Work for the loop to start (drained).
    pub fn take_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.requests)
    }

    /// Whether something the app asked for is still outstanding: label writes, a recomputation, requests.
    pub fn busy(&self) -> bool {
        self.saving > 0 || self.recomputing || self.scores_stale || !self.requests.is_empty()
    }

    /// The selected example, if the list is not empty.
    pub fn selected(&self) -> Option<usize> {
        self.list.selected()
    }

    /// The proxy shown in the list.
    pub fn chosen_proxy(&self) -> Option<&ProxyScores> {
        self.proxy.and_then(|p| self.data.proxies.get(p))
    }

    /// The suggested label of `i`: its held-out majority prediction when that differs from its label.
    pub fn suggested(&self, i: usize) -> Option<u32> {
        let label = self.data.dataset.labels.get(i).copied();
        self.scores.prediction(i).filter(|&p| Some(p) != label)
    }

    /// Rebuilds the list order, keeping the selected example selected when it is still shown.
    pub fn reorder(&mut self) {
        let inputs = OrderInputs {
            agg: &self.est.agg,
            data: &self.data,
            scores: &self.scores,
            tags: &self.tags,
            proxy: self.proxy.and_then(|p| self.data.proxies.get(p)),
        };
        let order = visible_order(self.list.sort, &self.list.filter, &inputs);
        self.list.set_order(order);
    }

    /// What the order depends on besides the scores.
    pub(super) fn order_key(&self) -> OrderKey {
        OrderKey {
            sort: self.list.sort,
            filter: self.list.filter.clone(),
            proxy: self.proxy,
            tags_version: self.tags.version(),
            proxies_version: self.proxies_version,
        }
    }

    fn resize(&mut self, w: u16, h: u16) {
        self.size = (w, h);
        self.preview_page = self.preview_page.min(self.preview_pages().saturating_sub(1));
    }

    /// Pages of the preview at the app's size and selection (0 when the preview is not on screen).
    pub fn preview_pages(&self) -> usize {
        if self.view != View::List {
            return 0;
        }
        super::views::layout::preview_pages(self.size, super::views::preview_content(self))
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), error: false });
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), error: true });
    }
}
