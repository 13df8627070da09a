//! An explorer session ([`ExploreSession`]: the app, where to follow the workspace from, an optional
//! trainer) and opening one: the aggregate of the stored runs (once), tags, proxies, settings. It
//! runs on the loading thread while the terminal shows the loading screen.

use std::sync::Arc;
use std::time::Duration;

use super::app::{App, Message};
use super::config::{Config, ImageMode};
use super::data::ExplorerData;
use super::error::TuiError;
use super::estimate_state::{EstimateState, Training};
use super::opening::Progress;
use super::theme::{no_color_requested, Theme};
use super::train::{TrainSettings, Trainer};
use crate::estimate::{dataset_warnings, Plan, DEFAULT_RATIOS};
use crate::project::Project;

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
}

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
        let Project { dataset, workspace, injected } = project;
        let no_color = no_color_requested();
        let theme = Theme::load(theme.unwrap_or(&config.theme), no_color)?;
        let mut config = config.clone();
        if no_color {
            config.images = ImageMode::Shade;
        }
        let mut est = EstimateState::new(plan, dataset.len(), dataset.num_classes());
        let mut last_run_id = i64::MIN;
        progress.stage("reading the runs");
        for (id, run) in workspace.runs_after(i64::MIN, false)? {
            last_run_id = last_run_id.max(id);
            est.add(&run, false);
        }
        let tags = workspace.tags()?;
        progress.stage("ranking the proxy scores");
        let data = ExplorerData::load(&workspace, Arc::new(dataset), &injected)?;
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
        let warnings = dataset_warnings(&ds.labels, &ds.class_names, ratios);
        let mut app = App::new(data, est, tags, &config, theme);
        if !warnings.is_empty() {
            app.message = Some(Message { text: format!("warning: {}", warnings.join("; ")), error: true });
        }
        Ok(ExploreSession { app, last_run_id, poll: Duration::from_millis(config.poll_ms), trainer })
    }
}
