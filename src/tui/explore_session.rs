//! An explorer session ([`ExploreSession`]: the app, where to follow the workspace from, an optional
//! trainer) and opening one: the aggregate of the stored runs (once), tags, proxies, settings. It
//! runs on the loading thread while the terminal shows the loading screen.

use std::sync::Arc;
use std::time::Duration;

use super::app::{App, Message};
use super::config::{Config, ImageMode};
use super::data::{rank_all, stored_scores, ExplorerData, ProxyScores};
use super::error::TuiError;
use super::estimate_state::{EstimateState, Training};
use super::opening::Progress;
use super::theme::{no_color_requested, Theme};
use super::train::{TrainSettings, Trainer};
use crate::data::Dataset;
use crate::estimate::{dataset_warnings, shard_of_path, Plan, DEFAULT_RATIOS};
use crate::project::Project;
use crate::proxy::{outdated_warning, stale_density};
use crate::store::{TagRow, Workspace};

/// An explorer ready to run: the app, where to follow the workspace from, and an optional trainer.
pub struct ExploreSession {
    /// The app state.
    pub app: App,
    /// Row id of the newest run the app has folded in.
    pub last_run_id: i64,
    /// How often to poll the workspace for other writers.
    pub poll: Duration,
    /// The background estimate, when the explorer trains.
    pub trainer: Option<Trainer>,
    /// Loads the dataset's pixels when the session was opened labels first (see
    /// [`ExploreSession::with_pixels_later`]); run on a thread of its own once the explorer shows.
    pub pixels: Option<PixelLoader>,
}

/// Reads the whole dataset (pixels, hash check) after the explorer has opened on its labels.
pub type PixelLoader = Box<dyn FnOnce() -> Result<Dataset, String> + Send>;

impl ExploreSession {
    /// A session over `project` under `plan` (the stored one, or the one training will follow), with
    /// `theme` (a name or path; the config's when `None`). `train` trains the plan in the background.
    pub fn open(
        project: Project,
        plan: Option<Plan>,
        config: &Config,
        theme: Option<&str>,
        train: Option<TrainSettings>,
    ) -> Result<ExploreSession, TuiError> {
        ExploreSession::open_reporting(project, plan, config, theme, train, &Progress::none())
    }

    /// As [`ExploreSession::open`], saying each step to `progress` (the loading screen).
    pub fn open_reporting(
        project: Project,
        plan: Option<Plan>,
        config: &Config,
        theme: Option<&str>,
        train: Option<TrainSettings>,
        progress: &Progress,
    ) -> Result<ExploreSession, TuiError> {
        let reading = WorkspaceReading::read(&project.workspace, plan, progress)?;
        ExploreSession::open_read(project, reading, config, theme, train, progress)
    }

    /// As [`ExploreSession::open_reporting`], with the workspace's side already read (e.g. on a thread of
    /// its own while the dataset loaded: at a million examples each takes seconds).
    pub fn open_read(
        project: Project,
        reading: WorkspaceReading,
        config: &Config,
        theme: Option<&str>,
        train: Option<TrainSettings>,
        progress: &Progress,
    ) -> Result<ExploreSession, TuiError> {
        let Project { dataset, workspace, injected, .. } = project;
        let no_color = no_color_requested();
        let theme = Theme::load(theme.unwrap_or(&config.theme), no_color)?;
        let mut config = config.clone();
        if no_color {
            config.images = ImageMode::Shade;
        }
        let WorkspaceReading { mut est, last_run_id, tags, proxies, outdated } = reading;
        let data = ExplorerData::new(Arc::new(dataset), &injected, proxies, workspace.path().to_path_buf());
        let trainer = match (train, est.plan.clone()) {
            (Some(t), Some(plan)) => {
                est.training = Training::Running { device: t.device_label.clone() };
                Some(Trainer {
                    dataset: Arc::clone(&data.dataset),
                    plan,
                    settings: t,
                    workspace: workspace.path().to_path_buf(),
                })
            }
            _ => None,
        };
        progress.stage("ranking the examples");
        let ratios = est.plan.as_ref().map_or(&DEFAULT_RATIOS[..], |p| &p.ratios[..]);
        let ds = &data.dataset;
        let mut warnings: Vec<String> = crate::data::layout_warning(ds).into_iter().collect();
        warnings.extend(dataset_warnings(&ds.labels, &ds.class_names, ratios));
        // Training drops such values and computes them again; without it, they show as they are.
        warnings.extend(outdated.filter(|_| trainer.is_none()));
        let mut app = App::new(data, est, tags, &config, theme);
        if !warnings.is_empty() {
            app.message = Some(Message { text: format!("warning: {}", warnings.join("; ")), error: true });
        }
        let poll = Duration::from_millis(config.poll_ms);
        Ok(ExploreSession { app, last_run_id, poll, trainer, pixels: None })
    }

    /// This session, opened on the workspace's record of its examples because its dataset changed or
    /// went (`why`), shows no images and says so: the list, scores, tags and labeling work as ever.
    pub fn without_images(mut self, why: &str) -> Self {
        self.app.images_missing = Some("no images (the dataset changed)".into());
        let text = format!(
            "warning: showing the labels and files the workspace recorded, without images or training: {why}"
        );
        self.app.message = Some(Message { text, error: true });
        self
    }

    /// Adds `text` to the message line the explorer opens with (after any warning there).
    pub fn add_message(&mut self, text: &str) {
        match &mut self.app.message {
            Some(m) => m.text = format!("{}; {text}", m.text),
            None => self.app.message = Some(Message { text: text.to_string(), error: false }),
        }
    }

    /// This session, opened on a dataset without pixels, gets them from `load` once it runs; the
    /// previews say they are loading meanwhile.
    pub fn with_pixels_later(mut self, load: PixelLoader) -> Self {
        self.pixels = Some(load);
        self
    }
}

/// What the explorer reads from the workspace alone, without the dataset: the stored runs folded under a
/// plan, the tags and the ranked proxy and reference scores.
pub struct WorkspaceReading {
    est: EstimateState,
    last_run_id: i64,
    tags: Vec<TagRow>,
    proxies: Vec<ProxyScores>,
    /// A warning when density values come from an older kernel-bandwidth rule.
    outdated: Option<String>,
}

impl WorkspaceReading {
    /// Reads `ws` under `plan`.
    pub fn read(ws: &Workspace, plan: Option<Plan>, progress: &Progress) -> Result<Self, TuiError> {
        let info = ws.dataset_info()?;
        let mut est = EstimateState::new(plan, info.num_examples, info.num_classes);
        if let Some((shard, _)) = shard_of_path(ws.path()) {
            est.set_shard(shard);
        }
        let mut last_run_id = i64::MIN;
        progress.stage("reading the runs");
        for (id, run) in ws.runs_after(i64::MIN, false)? {
            last_run_id = last_run_id.max(id);
            est.add(&run, false);
        }
        let tags = ws.tags()?;
        progress.stage("ranking the proxy scores");
        let proxies = rank_all(stored_scores(ws)?);
        let outdated = outdated_warning(&stale_density(ws)?, ws.path());
        Ok(WorkspaceReading { est, last_run_id, tags, proxies, outdated })
    }

    /// The plan the runs were folded under.
    pub fn plan(&self) -> Option<&Plan> {
        self.est.plan.as_ref()
    }
}
