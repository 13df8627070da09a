//! The explorer's state and `App::update`, the only place it changes. Navigation, labeling and prompts
//! live in `app_nav.rs`, `app_label.rs` and `app_prompt.rs`.

use crossterm::event::KeyEvent;

use super::action::Action;
use super::config::{Config, ImageMode};
use super::data::{ExplorerData, ProxyScores};
use super::dynamics::{BinCurve, Dynamics};
use super::estimate_state::{EstimateState, Training};
use super::event::{StoreChange, WorkerMsg};
use super::filter::Filter;
use super::gallery::GalleryRows;
use super::history::History;
use super::keymap::{input_key, Keymap};
use super::order::{visible_order, OrderInputs, SortSpec};
use super::scores::Scores;
use super::tags::Tags;
use super::theme::Theme;
use crate::proxy::Comparison;

pub use super::app_types::{Message, Mode, Request, View};
use crate::store::{TagRow, Workspace};

/// Bins of the per-C-score-bin learning curves.
pub const CURVE_BINS: usize = 5;

/// The proxy the list shows unless the config names one: the fused estimate, else learning speed,
/// else the first.
fn default_proxy(proxies: &[ProxyScores]) -> Option<usize> {
    let at = |name: &str| proxies.iter().position(|p| p.name == name);
    at(crate::proxy::FUSED).or_else(|| at("learning_speed")).or_else(|| (!proxies.is_empty()).then_some(0))
}

/// The whole state of the explorer.
pub struct App {
    /// Dataset, injected ground truth, proxies.
    pub data: ExplorerData,
    /// Aggregate and training progress.
    pub est: EstimateState,
    /// Per-example estimate figures.
    pub scores: Scores,
    /// Tags, relabels, notes.
    pub tags: Tags,
    /// Learning dynamics, once loaded.
    pub dynamics: Option<Dynamics>,
    /// Mean learning curve per C-score bin.
    pub bin_curves: Vec<BinCurve>,
    /// Proxy comparison, once computed.
    pub comparison: Option<Comparison>,
    /// Gallery contents and cursor.
    pub gallery: GalleryRows,
    /// Example indices the list shows, in order.
    pub order: Vec<u32>,
    /// Position of the selected row in `order`.
    pub cursor: usize,
    /// Sort column and direction.
    pub sort: SortSpec,
    /// Active filters.
    pub filter: Filter,
    /// Anchor of a range selection (a position in `order`).
    pub visual: Option<usize>,
    /// The next tag applies to every shown row (after a confirmation).
    pub bulk_armed: bool,
    /// The last search.
    pub last_search: String,
    /// Keyboard mode.
    pub mode: Mode,
    /// Main view.
    pub view: View,
    /// The proxy shown in the list (index into `data.proxies`).
    pub proxy: Option<usize>,
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
    pub(super) ws: Workspace,
    pub(super) requests: Vec<Request>,
    pub(super) scores_stale: bool,
    /// Until the user moves, the selection stays on the top row while the ranking sharpens.
    pub(super) follow_top: bool,
}

impl App {
    /// A new explorer over `data`, writing labels through `ws` (its own connection).
    pub fn new(
        data: ExplorerData,
        ws: Workspace,
        est: EstimateState,
        tags: Vec<TagRow>,
        config: &Config,
        theme: Theme,
    ) -> Self {
        let n = data.len();
        let proxy = config
            .proxy
            .as_ref()
            .and_then(|name| data.proxies.iter().position(|p| &p.name == name))
            .or_else(|| default_proxy(&data.proxies));
        let mut app = App {
            scores: Scores::compute(&est.agg),
            tags: Tags::new(n, tags),
            data,
            est,
            dynamics: None,
            bin_curves: Vec::new(),
            comparison: None,
            gallery: GalleryRows::default(),
            order: Vec::new(),
            cursor: 0,
            sort: SortSpec::default(),
            filter: Filter::default(),
            visual: None,
            bulk_armed: false,
            last_search: String::new(),
            mode: Mode::Normal,
            view: View::List,
            proxy,
            history: History::default(),
            message: None,
            size: (80, 24),
            keymap: config.keymap.clone(),
            theme,
            images: config.images,
            quit: false,
            dirty: true,
            ws,
            requests: vec![Request::LoadDynamics],
            scores_stale: false,
            follow_top: true,
        };
        app.reorder();
        app
    }

    /// The action a key press means now (a command, or prompt editing while a prompt is open).
    pub fn action_for_key(&self, key: &KeyEvent) -> Option<Action> {
        match &self.mode {
            Mode::Prompt(p) => input_key(key, p.is_confirmation()).map(Action::Input),
            _ => self.keymap.command(key).map(Action::Command),
        }
    }

    /// Applies one action. Figures that depend on the estimate are refreshed by [`App::settle`].
    pub fn update(&mut self, action: Action) {
        if let Action::Tick = action {
            // rates and ETA move only while training
            self.dirty |= matches!(self.est.training, Training::Running { .. });
            return;
        }
        self.dirty = true;
        match action {
            Action::Command(c) => match self.mode {
                Mode::Help(_) => self.help_command(c),
                _ => self.command(c),
            },
            Action::Input(k) => self.input(k),
            Action::Resize(w, h) => self.size = (w, h),
            Action::Tick => {}
            Action::Worker(m) => self.worker(m),
            Action::Store(change) => self.store_change(change),
            Action::Dynamics(d) => {
                self.dynamics = Some(*d);
                self.bin_curves = self
                    .dynamics
                    .as_ref()
                    .map_or_else(Vec::new, |d| d.bin_curves(&self.scores.cscore, CURVE_BINS));
            }
            Action::Comparison(c) => self.comparison = *c,
            Action::Notice(Ok(text)) => self.info(text),
            Action::Notice(Err(text)) => self.error(text),
        }
    }

    /// Recomputes what depends on the estimate after a burst of runs (call once per drained inbox).
    pub fn settle(&mut self) {
        if !self.scores_stale {
            return;
        }
        self.scores_stale = false;
        self.scores = Scores::compute(&self.est.agg);
        if let Some(d) = &self.dynamics {
            self.bin_curves = d.bin_curves(&self.scores.cscore, CURVE_BINS);
        }
        self.gallery.invalidate();
        self.ensure_gallery();
        self.comparison_requested_for_view();
        self.reorder();
        self.dirty = true;
    }

    /// Work for the loop to start (drained).
    pub fn take_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.requests)
    }

    /// The selected example, if the list is not empty.
    pub fn selected(&self) -> Option<usize> {
        self.order.get(self.cursor).map(|&i| i as usize)
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
        let keep = if self.follow_top { None } else { self.selected() };
        let inputs = OrderInputs {
            data: &self.data,
            scores: &self.scores,
            tags: &self.tags,
            proxy: self.proxy.and_then(|p| self.data.proxies.get(p)),
        };
        self.order = visible_order(self.sort, &self.filter, &inputs);
        self.cursor = match keep.and_then(|k| self.order.iter().position(|&i| i as usize == k)) {
            Some(pos) => pos,
            None => self.cursor.min(self.order.len().saturating_sub(1)),
        };
        if self.visual.is_some_and(|v| v >= self.order.len()) {
            self.visual = None;
        }
    }

    pub(super) fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), error: false });
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.message = Some(Message { text: text.into(), error: true });
    }

    fn worker(&mut self, msg: WorkerMsg) {
        match msg {
            WorkerMsg::Started { pending: 0, .. } => {
                self.est.training = Training::Finished { remaining: 0 };
            }
            WorkerMsg::Started { .. } => {}
            WorkerMsg::Committed(run) => self.add_run(&run),
            WorkerMsg::ProxyError(e) => self.error(format!("proxy scores: {e} (the estimate goes on)")),
            WorkerMsg::Finished(Ok(report)) => {
                self.est.training = Training::Finished { remaining: report.remaining };
            }
            WorkerMsg::Finished(Err(e)) => {
                self.error(format!("training stopped: {e}"));
                self.est.training = Training::Failed(e);
            }
        }
    }

    fn add_run(&mut self, run: &crate::store::RunRecord) {
        if self.est.add(run, true) {
            self.scores_stale = true;
            let tracked = run.key.kind_is_proxy
                || self.est.plan.as_ref().is_some_and(|p| (run.key.run_index as usize) < p.track_runs);
            if tracked {
                self.requests.push(Request::LoadDynamics);
            }
        }
    }

    fn store_change(&mut self, change: StoreChange) {
        if let Some(plan) = change.plan {
            self.est.set_plan(plan);
            self.scores_stale = true;
        }
        for run in &change.runs {
            self.add_run(run);
        }
        if let Some(proxies) = change.proxies {
            self.set_proxies(proxies);
        }
        if let Some(rows) = change.tags {
            self.tags.replace_all(rows);
            if self.filter.tag.is_some() || self.sort.column == super::order::SortColumn::Tag {
                self.reorder();
            }
        }
        if let Some(e) = change.error {
            self.error(format!("reading the workspace: {e}"));
        }
    }

    /// Asks for a fresh comparison when the compare view is open.
    pub(super) fn comparison_requested_for_view(&mut self) {
        if self.view == View::Compare && !self.data.proxies.is_empty() {
            let cscore = self.scores.cscore.iter().map(|&c| f64::from(c)).collect();
            self.requests.retain(|r| !matches!(r, Request::Compare { .. }));
            self.requests.push(Request::Compare { cscore });
        }
    }

    /// Replaces the proxies (recomputed elsewhere), keeping the chosen one by name.
    fn set_proxies(&mut self, proxies: Vec<ProxyScores>) {
        let chosen = self.chosen_proxy().map(|p| p.name.clone());
        self.data.proxies = proxies;
        self.proxy = chosen
            .and_then(|name| self.data.proxies.iter().position(|p| p.name == name))
            .or_else(|| default_proxy(&self.data.proxies));
        self.comparison = None;
        self.comparison_requested_for_view();
        self.reorder();
    }

    /// The workspace connection the explorer writes through.
    pub fn workspace(&self) -> &Workspace {
        &self.ws
    }
}
