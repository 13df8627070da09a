//! Resolving a plan from command-line flags and the plan a workspace already holds.

use super::Plan;
use crate::model::{ModelSpec, TrainConfig};
use crate::store::Workspace;
use crate::{Error, Result};

/// Config key of the plan in the workspace.
const PLAN_KEY: &str = "plan";

/// Plan settings given on the command line; `None` means "as before, or the default".
#[derive(Debug, Clone, Default)]
pub struct PlanOverrides {
    pub ratios: Option<Vec<f64>>,
    pub runs: Option<usize>,
    pub seed: Option<u64>,
    pub model: Option<ModelSpec>,
    pub epochs: Option<usize>,
    pub batch: Option<usize>,
    pub lr: Option<f64>,
    pub momentum: Option<f64>,
    pub weight_decay: Option<f64>,
    pub track_runs: Option<usize>,
    pub proxy_runs: Option<usize>,
}

impl PlanOverrides {
    /// Applies the given flags on top of `base`.
    pub fn apply(&self, base: &Plan) -> Plan {
        let t = &base.train;
        Plan {
            ratios: self.ratios.clone().unwrap_or_else(|| base.ratios.clone()),
            runs: self.runs.unwrap_or(base.runs),
            seed: self.seed.unwrap_or(base.seed),
            model: self.model.clone().unwrap_or_else(|| base.model.clone()),
            train: TrainConfig {
                epochs: self.epochs.unwrap_or(t.epochs),
                batch: self.batch.unwrap_or(t.batch),
                lr: self.lr.unwrap_or(t.lr),
                momentum: self.momentum.unwrap_or(t.momentum),
                weight_decay: self.weight_decay.unwrap_or(t.weight_decay),
            },
            track_runs: self.track_runs.unwrap_or(base.track_runs),
            proxy_runs: self.proxy_runs.unwrap_or(base.proxy_runs),
            protocol: base.protocol,
            inputs: base.inputs.clone(),
        }
    }
}

/// The plan stored in the workspace, if any.
pub fn stored_plan(ws: &Workspace) -> Result<Option<Plan>> {
    match ws.config(PLAN_KEY)? {
        Some(json) => serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| Error::Config(format!("{}: unreadable plan: {e}", ws.path().display()))),
        None => Ok(None),
    }
}

/// Resolves the plan of an estimate on `ws` and records it: a resumed estimate keeps the stored plan
/// (more `--runs` extend it); flags that would change which models are trained are refused. A new
/// workspace gets the reference protocol with the flags on top (see [`super::resolve_protocol_plan`] for
/// the other protocols).
pub fn resolve_plan(ws: &Workspace, flags: &PlanOverrides) -> Result<Plan> {
    resolve_plan_with(ws, flags, &mut |flags| Ok(flags.apply(&Plan::default())))
}

/// As [`resolve_plan`], with `new_plan` making the plan of a workspace that has none yet.
pub(crate) fn resolve_plan_with(
    ws: &Workspace,
    flags: &PlanOverrides,
    new_plan: &mut dyn FnMut(&PlanOverrides) -> Result<Plan>,
) -> Result<Plan> {
    let stored = stored_plan(ws)?;
    let plan = match &stored {
        // More --runs (or --proxy-runs) extend a stored plan; fewer do not shrink it: the runs are stored
        // and counted, and a plan that forgot them would call the workspace complete with runs beyond it.
        Some(old) => {
            let mut plan = flags.apply(old);
            plan.runs = plan.runs.max(old.runs);
            plan.proxy_runs = plan.proxy_runs.max(old.proxy_runs);
            plan
        }
        None => new_plan(flags)?,
    };
    plan.validate()?;
    if let Some(old) = &stored {
        if !old.same_models_as(&plan) {
            return Err(Error::Config(format!(
                "{}: this workspace was estimated with a different plan ({}); resume it without those flags, \
                 or start another workspace with -w (its plan: {})",
                ws.path().display(),
                differences(old, &plan).join(", "),
                describe(old)
            )));
        }
    }
    if stored.as_ref() != Some(&plan) {
        store_plan(ws, &plan)?;
    }
    Ok(plan)
}

/// Records `plan` as the workspace's plan.
pub fn store_plan(ws: &Workspace, plan: &Plan) -> Result<()> {
    let json = serde_json::to_string(plan).map_err(|e| Error::Config(e.to_string()))?;
    ws.set_config(PLAN_KEY, &json)?;
    Ok(())
}

/// The plan as the flags that make it.
pub fn describe(p: &Plan) -> String {
    let ratios: Vec<String> = p.ratios.iter().map(|r| r.to_string()).collect();
    format!(
        "--protocol {} --ratios {} --seed {} --model {} --epochs {} --batch {} --lr {} --momentum {} --weight-decay {} --track-runs {}",
        p.protocol.name(),
        ratios.join(","),
        p.seed,
        p.model,
        p.train.epochs,
        p.train.batch,
        p.train.lr,
        p.train.momentum,
        p.train.weight_decay,
        p.track_runs
    )
}

/// The flags whose values differ between the stored plan `old` and `new`, as `--epochs 10 (given 5)`.
pub fn differences(old: &Plan, new: &Plan) -> Vec<String> {
    let ratios = |p: &Plan| p.ratios.iter().map(f64::to_string).collect::<Vec<_>>().join(",");
    let (a, b) = (&old.train, &new.train);
    let pairs = [
        ("--ratios", ratios(old), ratios(new)),
        ("--seed", old.seed.to_string(), new.seed.to_string()),
        ("--model", old.model.to_string(), new.model.to_string()),
        ("--epochs", a.epochs.to_string(), b.epochs.to_string()),
        ("--batch", a.batch.to_string(), b.batch.to_string()),
        ("--lr", a.lr.to_string(), b.lr.to_string()),
        ("--momentum", a.momentum.to_string(), b.momentum.to_string()),
        ("--weight-decay", a.weight_decay.to_string(), b.weight_decay.to_string()),
        ("--track-runs", old.track_runs.to_string(), new.track_runs.to_string()),
    ];
    let mut out: Vec<String> = pairs
        .into_iter()
        .filter(|(_, x, y)| x != y)
        .map(|(flag, x, y)| format!("{flag} {x} (given {y})"))
        .collect();
    if out.is_empty() && old.inputs != new.inputs {
        out.push("the input scaling of --protocol".into());
    }
    if out.is_empty() {
        out.push("the training settings".into());
    }
    out
}

/// The aggregate of every run committed to `ws` so far (empty when no plan is stored yet).
pub fn aggregate_workspace(ws: &Workspace) -> Result<super::Aggregate> {
    let ratios = stored_plan(ws)?.map_or(0, |p| p.ratios.len());
    let mut agg = super::Aggregate::new(ws.num_examples(), ratios, ws.num_classes());
    for run in ws.load_runs(false)? {
        agg.add(&run);
    }
    Ok(agg)
}
