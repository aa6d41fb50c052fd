//! `monorel release <LEVEL|auto> [--execute] ...`, `--resume`, `--abort`: the release checklist.
//!
//! Without `--execute` it prints the whole plan (every diff, then the numbered steps) and changes
//! nothing, not a file and not a ref. With `--execute` the plan is recorded in `.git/` and carried
//! out one step at a time (`execute.rs`). Built with the `changelog` feature: a release promotes
//! the changelog.

#[cfg(not(feature = "changelog"))]
pub(crate) fn run(
    _dir: &std::path::Path,
    _args: &crate::args::ReleaseArgs,
) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!(
        "this build of monorel has no release support (the `changelog` feature is off)\n\
         help: use a `monorel` built with default features; in this repository `cargo xtask release` builds it"
    )
}

#[cfg(feature = "changelog")]
mod abort;
#[cfg(feature = "changelog")]
mod execute;
#[cfg(feature = "changelog")]
mod flow;
#[cfg(feature = "changelog")]
mod flow_steps;
#[cfg(feature = "changelog")]
mod interrupt;
#[cfg(feature = "changelog")]
mod pull;
#[cfg(feature = "changelog")]
pub(crate) use imp::run;

#[cfg(feature = "changelog")]
mod imp {
    use std::{path::Path, process::ExitCode, time::SystemTime};

    use anyhow::{Context, bail};
    use monorel::{
        changelog::{self, Request, TagPattern},
        git::Repo,
        release::{
            self, ReleasePlan, ReleaseRequest, auto,
            plan::PlanError as ReleasePlanError,
            preflight::{self, Problem},
            state, warnings,
        },
        repo::{self, BumpRequest, PlanError},
        version::{Level, PreKind},
    };
    use serde_json::json;

    use super::{abort, execute, flow, pull};
    use crate::{
        args::{Format, ReleaseArgs},
        render::{self, out, outln},
    };

    pub(crate) fn run(dir: &Path, args: &ReleaseArgs) -> anyhow::Result<ExitCode> {
        let repo = Repo::discover(dir).with_context(|| {
            format!("`{}` is not inside a git work tree\nhelp: a release is a commit and a tag: run it in the repository", dir.display())
        })?;
        let git_dir = repo.git_dir()?;
        // One monorel at a time: from before the preflight to the last step.
        let _lock = if args.resume || args.abort || args.quit || args.execute {
            Some(monorel::lock::acquire(&git_dir)?)
        } else {
            None
        };
        if args.resume {
            return execute::resume(&repo, dir, &git_dir, args.format);
        }
        if args.abort {
            return abort::abort(&repo, dir, &git_dir);
        }
        if args.quit {
            return abort::quit(&git_dir);
        }
        let Some(level) = &args.level else {
            bail!(
                "say which release: `monorel release <major|minor|patch|rc|beta|alpha|release|X.Y.Z|auto>`\nhelp: or `--resume`, `--abort` or `--quit` a release in progress"
            );
        };
        // Branch flows: `start <level>` and `finish <level>` bump as a release does; `finish`
        // of a bumped branch, `hotfix` and `tag` have nothing to bump.
        let flow_kind = flow::kind(level);
        let level = match (flow_kind, &args.flow_level) {
            (Some(kind), Some(flow_level)) if flow::bumps(kind) => flow_level,
            (Some(kind), _) => return flow::run_unbumped(&repo, dir, &git_dir, args, kind),
            (None, Some(extra)) => bail!(
                "unexpected `{extra}` after `{level}`\nhelp: `monorel release <level>`, or a flow: `monorel release start <level>`"
            ),
            (None, None) => level,
        };

        let pulled = if args.pull { pull::fast_forward(&repo)? } else { None };
        let snapshot = crate::commands::load(dir)?;
        let config = flow::release_config(&snapshot.config.release);
        let model = repo::discover(&snapshot);
        let group = match (&args.group, model.groups.as_slice()) {
            (Some(g), _) => model.group(g).cloned(),
            (None, [only]) => Some(only.clone()),
            _ => None,
        };
        // The group's changelog and commits, as `monorel changelog --group` writes them (the
        // `[release] changelog` and every commit unless it is one group of several).
        let changelog_request = match &group {
            Some(g) => Request::for_group(&model, g, &config.changelog)?,
            None => Request { changelog: config.changelog.clone().into(), ..Request::default() },
        };
        let tag_pattern: TagPattern = changelog_request.tag_pattern.clone();
        let changelog_path = changelog_request.changelog.display().to_string().replace('\\', "/");
        let changelog_snapshot = changelog::load(repo.root(), &changelog_request)?;

        let mut problems: Vec<Problem> = Vec::new();
        let (level, decided) = if level == "auto" {
            let current = group.as_ref().and_then(|g| g.version.clone());
            let cliff = changelog_snapshot.cliff_toml.as_deref();
            match current.map(|v| auto::decide(&changelog_snapshot.log, cliff, &v)).transpose()? {
                Some(Some(decision)) => (decision.level.clone(), Some(decision)),
                Some(None) => bail!(
                    "nothing to release: no `feat`, `fix`, `perf` or breaking commit since {}\nhelp: land a releasable commit, or name the level (`monorel release patch`)",
                    changelog_snapshot
                        .last_tag
                        .as_deref()
                        .map_or("the first commit".to_string(), |t| format!("`{t}`"))
                ),
                None => (Level::Patch, None), // the bump below reports why there is no version
            }
        } else {
            (release_level(level)?, None)
        };
        let pre = args.pre.as_deref().and_then(PreKind::parse);
        let bump = match repo::plan_bump(
            &snapshot,
            &model,
            &BumpRequest { level, pre, group: args.group.clone() },
        ) {
            Ok(bump) => bump,
            Err(PlanError::Problems { group, problems }) => {
                eprint!("{}", render::problems(&problems));
                bail!(
                    "cannot release group `{group}`: fix the problems above first; nothing was changed"
                );
            }
            Err(PlanError::File { path, refusal }) => {
                eprint!("{}", render::refusal_text(&path, &refusal));
                return Ok(ExitCode::FAILURE);
            }
            Err(e) => return Err(e.into()),
        };

        let in_progress = state::exists(&git_dir);
        let facts = preflight::load_facts(&repo, &bump.tag, args.offline, in_progress)?;
        let push = args.push || config.push;
        problems.extend(preflight::check(&facts, &config, &bump.tag, push, args.offline));
        if let Some(branch) = &facts.branch {
            problems.extend(release::line::check(branch, &bump.to));
        }
        warn(&release_warnings(
            &repo,
            &changelog_snapshot,
            &tag_pattern,
            &bump,
            &facts,
            decided.is_some(),
        )?);

        let date = changelog::release_date(
            std::env::var("MONOREL_DATE").ok().as_deref(),
            std::env::var("SOURCE_DATE_EPOCH").ok().as_deref(),
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64),
        )?;
        let generated = changelog::plan(&changelog_snapshot, &changelog_request)?;
        crate::commands::changelog::report(&generated, args.verbose);
        let request = ReleaseRequest {
            push,
            no_hooks: args.no_hooks,
            allow_empty: args.allow_empty,
            set_upstream: facts.branch.as_deref().is_some_and(|b| !repo.has_upstream(b)),
        };
        let plan = release::plan_release(
            bump,
            &changelog_path,
            generated.before.clone(),
            &generated.after,
            &date,
            facts.branch.as_deref().unwrap_or("HEAD"),
            facts.remote.as_deref(),
            &config,
            &tag_pattern,
            &request,
        );
        let plan = match plan {
            Ok(plan) => Some(plan),
            Err(ReleasePlanError::Empty { changelog, since }) => {
                problems.push(Problem {
                    message: format!("nothing to release: `{changelog}` has no entries under `[Unreleased]` and there are no releasable commits since `{since}`"),
                    help: "land a `feat:` or `fix:` commit, write entries by hand, or pass `--allow-empty`".into(),
                });
                None
            }
            Err(e) => return Err(e.into()),
        };
        let Some(mut plan) = plan else { return report(&problems, args.format) };
        if let Some(kind) = flow_kind {
            if let Err(problem) = flow::attach(&repo, &config, &mut plan, kind, args) {
                problems.push(problem);
            }
        }
        if let Err(e) = plan.plan_next_dev_files(&snapshot) {
            problems.push(Problem {
                message: format!("cannot plan the next development version: {e}"),
                help: "fix that, or release without `[release] next-dev`".into(),
            });
        }
        if !problems.is_empty() {
            // A dry run still shows what the release would do, after the problems that stop
            // it and with no word of `--execute`; `--execute` refuses outright.
            if !args.execute && args.format != Format::Json {
                print_problems(&problems);
                show(&plan, decided.as_ref(), args.format, Shown::Blocked);
                outln!("");
                return end_report(&problems, args.format);
            }
            return report(&problems, args.format);
        }
        if args.edit {
            execute::edit_notes(dir, &git_dir, &mut plan)?;
        }
        show(
            &plan,
            decided.as_ref(),
            args.format,
            if args.execute { Shown::Executing } else { Shown::DryRun },
        );
        if let Some(pulled) = pulled.filter(|_| args.format != Format::Json) {
            outln!("note: {pulled} (`--pull`), before planning");
        }
        if !args.execute {
            return Ok(ExitCode::SUCCESS);
        }
        execute::start(&repo, dir, &git_dir, plan, args.format)
    }

    /// The warnings for this release (`release::warnings`): the commits' level when a level was
    /// named, the branch's name, and the group's releases this branch does not contain.
    fn release_warnings(
        repo: &Repo,
        changelog: &changelog::Snapshot,
        tag_pattern: &TagPattern,
        bump: &repo::BumpPlan,
        facts: &preflight::Facts,
        auto_level: bool,
    ) -> anyhow::Result<Vec<warnings::Warning>> {
        let commits = if auto_level {
            None
        } else {
            auto::decide(&changelog.log, changelog.cliff_toml.as_deref(), &bump.from)?
        };
        let mut unmerged = Vec::new();
        for tag in &changelog.tags {
            let Some(version) = tag_pattern.version_of(&tag.name) else { continue };
            if version > bump.from
                && tag.name != bump.tag
                && !repo.is_ancestor_of_head(&tag.commit)?
            {
                unmerged.push((tag.name.clone(), version));
            }
        }
        unmerged.sort_by(|a, b| b.1.cmp(&a.1));
        Ok(warnings::check(&warnings::Facts {
            from: &bump.from,
            to: &bump.to,
            branch: facts.branch.as_deref(),
            commits: commits.as_ref(),
            unmerged: &unmerged,
        }))
    }

    /// Prints each warning on stderr, before the plan.
    fn warn(list: &[warnings::Warning]) {
        for w in list {
            eprintln!("warning: {}", w.message);
            for (id, subject) in &w.commits {
                eprintln!("  {id} {}", render::escape(subject));
            }
            eprintln!("help: {}", w.help);
        }
    }

    /// The levels a release takes, in its help and its errors alike.
    const LEVELS: &str =
        "major, minor, patch, release, alpha, beta, rc, auto, or a version such as `1.4.0`";

    /// A bump level that makes a release: never a development version. A dev version is what a
    /// branch carries between releases (`[release] next-dev` writes it); tagged, it would be
    /// the last release that `auto` and the changelog count from.
    fn release_level(text: &str) -> anyhow::Result<Level> {
        let level = Level::parse(text).map_err(|e| {
            let help = if e.message.ends_with("is not a bump level") {
                format!("use {LEVELS}")
            } else {
                e.help.clone()
            };
            anyhow::anyhow!("{}\nhelp: {help}", e.message)
        })?;
        let dev = match &level {
            Level::Pre(PreKind::Dev) => true,
            Level::Exact(v) => v.pre.as_str() == "dev" || v.pre.as_str().starts_with("dev."),
            _ => false,
        };
        if dev {
            bail!(
                "`{text}` is a development version, and development versions are not released or tagged\nhelp: release one of: {LEVELS}; `monorel bump dev` writes a development version without a release"
            );
        }
        Ok(level)
    }

    /// Prints every problem (and, under GitHub Actions, an annotation each); exit 1.
    pub(super) fn report(problems: &[Problem], format: Format) -> anyhow::Result<ExitCode> {
        if format != Format::Json {
            print_problems(problems);
        }
        end_report(problems, format)
    }

    /// Each problem and its fix, for people.
    pub(super) fn print_problems(problems: &[Problem]) {
        for p in problems {
            eprintln!("error: {}\nhelp: {}", p.message, p.help);
        }
    }

    /// The end of a refusal: the count (or the JSON), then the annotations; exit 1.
    pub(super) fn end_report(problems: &[Problem], format: Format) -> anyhow::Result<ExitCode> {
        if format == Format::Json {
            let list: Vec<_> =
                problems.iter().map(|p| json!({"message": p.message, "help": p.help})).collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&json!({"outcome": "refused", "problems": list}))?
            );
        } else {
            eprintln!(
                "no release: {} problem{} to fix first; nothing was changed",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
        }
        if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
            for p in problems {
                outln!(
                    "::error::{}",
                    format!("{} (help: {})", p.message, p.help)
                        .replace('%', "%25")
                        .replace('\n', "%0A")
                );
            }
        }
        Ok(ExitCode::FAILURE)
    }

    /// What the plan is shown for.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub(super) enum Shown {
        /// A dry run that `--execute` would carry out.
        DryRun,
        /// A dry run with problems that stop the release.
        Blocked,
        /// The plan about to be carried out.
        Executing,
    }

    /// The plan: what and why, every diff, then the numbered steps.
    pub(super) fn show(
        plan: &ReleasePlan,
        decided: Option<&auto::Decision>,
        format: Format,
        shown: Shown,
    ) {
        let execute = shown == Shown::Executing;
        if format == Format::Json {
            let value = json!({
                "outcome": if execute { "planned, executing" } else { "planned (dry run)" },
                "group": plan.group,
                "from": plan.from.to_string(),
                "to": plan.to.to_string(),
                "tag": plan.tag,
                "date": plan.date,
                "branch": plan.branch,
                "files": plan.paths(),
                "commit_message": plan.commit_message,
                "notes": plan.notes,
                "tag_message": plan.tag_message(),
                "security": plan.is_security(),
                "steps": plan.steps().iter().map(|s| json!({"step": s.name(), "does": plan.describe(*s)})).collect::<Vec<_>>(),
            });
            outln!("{}", serde_json::to_string_pretty(&value).unwrap_or_default());
            return;
        }
        if plan.from == plan.to {
            // `release tag`: the files hold the version already; nothing moves.
            outln!(
                "release {} of group `{}`: the files hold {} already (tag `{}`, {})",
                plan.to,
                plan.group,
                plan.to,
                plan.tag,
                plan.date
            );
        } else {
            outln!(
                "release {} of group `{}`: {} -> {} (tag `{}`, {})",
                plan.to,
                plan.group,
                plan.from,
                plan.to,
                plan.tag,
                plan.date
            );
        }
        if let Some(decision) = decided {
            outln!("\n`auto` chose {}, from:", decision.level);
            for (id, subject) in &decision.commits {
                outln!("  {id} {subject}");
            }
        }
        outln!("");
        for file in &plan.files {
            out!("{}", render::diff(&file.path, &file.before, &file.after));
        }
        if let Some(dev) = plan.next_dev.as_ref().filter(|d| !d.files.is_empty()) {
            outln!("\nthen, for the next development version {}:\n", dev.version);
            for file in &dev.files {
                out!("{}", render::diff(&file.path, &file.before, &file.after));
            }
        }
        let tag_message = plan.tag_message();
        if tag_message == plan.notes {
            outln!("\nrelease notes (the tag's message):\n");
        } else {
            outln!("\nrelease notes:\n");
        }
        for line in plan.notes.lines() {
            outln!("    {line}");
        }
        if tag_message != plan.notes {
            outln!("\nthe tag's message (`[release] tag-message`):\n");
            for line in tag_message.lines() {
                outln!("    {line}");
            }
        }
        outln!("\nsteps:");
        for (i, step) in plan.steps().iter().enumerate() {
            outln!("  {}. {}", i + 1, plan.describe(*step));
        }
        match shown {
            Shown::DryRun => outln!(
                "\ndry run: nothing was changed, not a file and not a ref; run again with `--execute` to release"
            ),
            Shown::Blocked => outln!(
                "\ndry run: nothing was changed, not a file and not a ref; the problems above stop this release"
            ),
            Shown::Executing => {}
        }
    }
}
