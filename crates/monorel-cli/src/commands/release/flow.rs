//! `monorel release start|finish|hotfix|tag`: the branch flows of `[release.flow]`, planned
//! as release plans with flow steps (`monorel::release::flow`), shown in full as a dry run, and
//! carried out by the one executor (`execute.rs`) with `--resume` and `--abort`.
//!
//! `start <level>` and `finish <level>` bump as `release <level>` does, then add the flow's
//! branch and merges; `finish` of a bumped branch, `hotfix` and `tag` plan from the versions
//! and the changelog already committed.

use std::{path::Path, process::ExitCode, time::SystemTime};

use anyhow::{Context, bail};
use monorel::{
    changelog::{self, Request},
    config::{FlowConfig, ReleaseConfig},
    git::Repo,
    release::{
        Push, ReleasePlan,
        flow::{self, Branches, FlowKind, FlowPlan},
        preflight::{self, Problem},
        state,
    },
    repo,
    version::{self, Level, Version},
};

use super::{execute, imp};
use crate::args::{Format, ReleaseArgs};

/// The flow a first word names.
pub(super) fn kind(word: &str) -> Option<FlowKind> {
    match word {
        "start" => Some(FlowKind::Start),
        "finish" => Some(FlowKind::Finish),
        "hotfix" => Some(FlowKind::Hotfix),
        "tag" => Some(FlowKind::Tag),
        _ => None,
    }
}

/// Whether the flow takes a level (and so bumps).
pub(super) fn bumps(kind: FlowKind) -> bool {
    matches!(kind, FlowKind::Start | FlowKind::Finish)
}

/// `[release]` as a release under a flow sees it: with `branches` unset, a release may be cut
/// from `main`, `develop`, and release and hotfix branches.
pub(super) fn release_config(config: &ReleaseConfig) -> ReleaseConfig {
    let mut config = config.clone();
    if let (Some(flow), true) = (&config.flow, config.branches.is_empty()) {
        config.branches = flow::release_branches(flow);
    }
    config
}

fn flow_config(config: &ReleaseConfig) -> anyhow::Result<FlowConfig> {
    config.flow.clone().context(
        "there is no `[release.flow]` in `monorel.toml`, so there is no branch flow\nhelp: add one, e.g. `[release.flow]` with `develop = \"develop\"`, `main = \"main\"`, `release-branch = \"release/v{version}\"`",
    )
}

fn branches(repo: &Repo, remote: Option<&str>) -> anyhow::Result<Branches> {
    let current = repo
        .current_branch()
        .context("`HEAD` is detached: a flow starts on a branch\nhelp: `git switch <branch>`")?;
    let mut local = Vec::new();
    for name in repo.branch_names(None)? {
        if let Some(commit) = repo.branch_commit(&name) {
            local.push((name, commit));
        }
    }
    let remote = match remote {
        Some(remote) => repo
            .branch_names(Some(remote))?
            .into_iter()
            .filter_map(|b| b.strip_prefix(&format!("{remote}/")).map(str::to_string))
            .filter(|b| b != "HEAD")
            .collect(),
        None => Vec::new(),
    };
    Ok(Branches { current, local, remote })
}

/// `start <level>` and `finish <level>`: the flow added to a release plan that bumps.
pub(super) fn attach(
    repo: &Repo,
    config: &ReleaseConfig,
    plan: &mut ReleasePlan,
    kind: FlowKind,
    args: &ReleaseArgs,
) -> Result<(), Problem> {
    let as_problem = |e: anyhow::Error| {
        let text = e.to_string();
        let (message, help) = text.split_once("\nhelp: ").unwrap_or((&text, ""));
        Problem { message: message.to_string(), help: help.to_string() }
    };
    let flow_config = flow_config(config).map_err(as_problem)?;
    let remote =
        plan.push.as_ref().map(|p| p.remote.clone()).or_else(|| repo.remote_for(&plan.branch));
    let branches = branches(repo, remote.as_deref()).map_err(as_problem)?;
    let planned = match kind {
        FlowKind::Start => flow::start(&flow_config, &branches, &plan.to),
        _ => flow::finish(&flow_config, &branches, false, args.delete_branch),
    };
    let mut flow = planned.map_err(|e| Problem { message: e.message, help: e.help })?;
    flow.changelog = config.changelog.clone();
    plan.flow = Some(flow);
    // The next development version belongs to `develop`, which a flow reaches by merging.
    plan.next_dev = None;
    Ok(())
}

/// `finish` of a bumped branch, `hotfix`, `tag`: planned from what is committed.
pub(super) fn run_unbumped(
    repo: &Repo,
    dir: &Path,
    git_dir: &Path,
    args: &ReleaseArgs,
    kind: FlowKind,
) -> anyhow::Result<ExitCode> {
    let snapshot = crate::commands::load(dir)?;
    let config = release_config(&snapshot.config.release);
    let model = repo::discover(&snapshot);
    let group = match (&args.group, model.groups.as_slice()) {
        (Some(g), _) => model.group(g).cloned(),
        (None, [only]) => Some(only.clone()),
        _ => None,
    }
    .context("say which group (`--group <name>`): there are several\nhelp: `monorel versions` lists them")?;
    let version = group.version.clone().with_context(|| {
        format!(
            "the versions of group `{}` disagree\nhelp: `monorel versions` shows them",
            group.name
        )
    })?;
    let changelog_request = Request::for_group(&model, &group, &config.changelog)?;
    let changelog_path = changelog_request.changelog.display().to_string().replace('\\', "/");
    let remote = repo.current_branch().and_then(|b| repo.remote_for(&b));
    let branches = branches(repo, remote.as_deref())?;
    let flow_problem = |e: flow::FlowError| Problem { message: e.message, help: e.help };

    let mut problems = Vec::new();
    let (to, tag, tagged, flow) = match kind {
        FlowKind::Tag => {
            let tag = group.tag_for(&version);
            (version.clone(), tag, false, Ok(flow::tag(&branches)))
        }
        FlowKind::Finish => {
            let flow_config = flow_config(&config)?;
            let tag = group.tag_for(&version);
            let tagged = match repo.tag_commit(&tag) {
                Some(commit) => repo.is_ancestor_of_head(&commit)?,
                None => false,
            };
            (
                version.clone(),
                tag,
                tagged,
                flow::finish(&flow_config, &branches, tagged, args.delete_branch),
            )
        }
        FlowKind::Start => bail!(
            "say the level of the release to start: `monorel release start <major|minor|patch|X.Y.Z>`"
        ),
        FlowKind::Hotfix => {
            let flow_config = flow_config(&config)?;
            let from = args.from.clone().unwrap_or_else(|| flow_config.main.clone());
            let from_commit = repo
                .resolve(&from)
                .with_context(|| format!("`{from}` names no commit\nhelp: name a release tag (`--from v1.2.0`) or a branch"))?;
            let released = released_version(repo, &group.tag, &from, &from_commit)?;
            let to = version::bump(&released, &Level::Patch, None)
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            let tag = group.tag_for(&to);
            let planned = flow::hotfix(&flow_config, &branches, &to, &from, &from_commit);
            (to, tag, false, planned)
        }
    };
    let mut flow: Option<FlowPlan> = match flow {
        Ok(flow) => Some(flow),
        Err(e) => {
            problems.push(flow_problem(e));
            None
        }
    };
    // The notes of a release already bumped: its dated section.
    let changelog_bytes = std::fs::read(repo.root().join(&changelog_path)).unwrap_or_default();
    let makes_tag = flow.as_ref().is_some_and(|f| f.tag);
    let notes = if makes_tag {
        match changelog::notes(&changelog_path, &changelog_bytes, &to.to_string()) {
            Ok(notes) => notes,
            Err(e) => {
                let text = e.to_string();
                let (message, _) = text.split_once("\nhelp: ").unwrap_or((&text, ""));
                problems.push(Problem {
                    message: format!("{message}, so {} is not bumped yet", to),
                    help: format!(
                        "this is for a release already bumped (its files at {to}, its changelog section dated); to bump, say the level: `monorel release {}<level>`",
                        if kind == FlowKind::Finish { "finish " } else { "" }
                    ),
                });
                String::new()
            }
        }
    } else {
        String::new()
    };

    let push = args.push || config.push;
    let in_progress = state::exists(git_dir);
    let facts = preflight::load_facts(repo, &tag, args.offline, in_progress)?;
    let mut preflight_config = config.clone();
    if kind == FlowKind::Hotfix {
        preflight_config.branches = vec!["*".into()];
    }
    problems.extend(
        preflight::check(&facts, &preflight_config, &tag, push, args.offline)
            .into_iter()
            // A branch released on itself already has its tag: finishing only merges.
            .filter(|p| !(tagged && p.message.contains(&format!("tag `{tag}` already exists")))),
    );
    if let Some(flow) = &mut flow {
        flow.changelog = changelog_path.clone();
    }
    let date = changelog::release_date(
        std::env::var("MONOREL_DATE").ok().as_deref(),
        std::env::var("SOURCE_DATE_EPOCH").ok().as_deref(),
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64),
    )?;
    let Some(flow) = flow else { return imp::report(&problems, args.format) };
    let branch = branches.current.clone();
    let fill = |template: &str| {
        template
            .replace("{version}", &to.to_string())
            .replace("{tag}", &tag)
            .replace("{group}", &group.name)
    };
    let plan = ReleasePlan {
        group: group.name.clone(),
        from: version.clone(),
        to: to.clone(),
        tag: tag.clone(),
        date,
        branch: branch.clone(),
        files: Vec::new(),
        commit_message: fill(&config.commit_message),
        tag_template: fill(&config.tag_message),
        notes,
        sign: config.sign,
        pre_commit: Vec::new(),
        post_tag: if makes_tag && !args.no_hooks { config.post_tag.clone() } else { Vec::new() },
        next_dev: None,
        push: if push {
            facts.remote.clone().map(|remote| Push {
                remote,
                branch,
                tag: tag.clone(),
                // A flow's push sets the upstreams it needs (`FlowPlan::set_upstream`).
                set_upstream: false,
            })
        } else {
            None
        },
        flow: Some(flow),
    };
    if !problems.is_empty() {
        // The problems first, and no word of `--execute` (as `release <LEVEL>`).
        if !args.execute && args.format != Format::Json {
            imp::print_problems(&problems);
            imp::show(&plan, None, args.format, imp::Shown::Blocked);
            crate::render::outln!("");
            return imp::end_report(&problems, args.format);
        }
        return imp::report(&problems, args.format);
    }
    let shown = if args.execute { imp::Shown::Executing } else { imp::Shown::DryRun };
    imp::show(&plan, None, args.format, shown);
    if !args.execute {
        return Ok(ExitCode::SUCCESS);
    }
    execute::start(repo, dir, git_dir, plan, args.format)
}

/// The version released at `from`: the tag's own when `from` is a release tag, else the newest
/// release tag reachable from it.
fn released_version(
    repo: &Repo,
    tag_format: &str,
    from: &str,
    from_commit: &str,
) -> anyhow::Result<Version> {
    if let Some(v) = flow::branch_version(tag_format, from) {
        return Ok(v);
    }
    let mut best: Option<Version> = None;
    for tag in repo.tag_names()? {
        let Some(v) = flow::branch_version(tag_format, &tag) else { continue };
        if !v.pre.is_empty() || best.as_ref().is_some_and(|b| *b >= v) {
            continue;
        }
        if let Some(commit) = repo.tag_commit(&tag) {
            if repo.is_ancestor(&commit, from_commit)? {
                best = Some(v);
            }
        }
    }
    match best {
        Some(v) => Ok(v),
        None => bail!(
            "no release tag (`{tag_format}`) is reachable from `{from}`, so there is no release to fix\nhelp: name the release: `monorel release hotfix --from <tag>`"
        ),
    }
}
