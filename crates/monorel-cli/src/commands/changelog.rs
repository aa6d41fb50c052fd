//! `monorel changelog [--check | --stdout] [--all] [--group NAME] [--notes VERSION]`.
//!
//! Loads (tags, one `git log`, CHANGELOG.md, `cliff.toml`), plans with the engine, then prints a
//! diff (`--check`), the file (`--stdout`), or writes it atomically. Built only with the
//! `changelog` feature; without it the command says how to get it.

#[cfg(not(feature = "changelog"))]
pub(crate) fn run(
    _dir: &std::path::Path,
    _args: &crate::args::ChangelogArgs,
) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!(
        "this build of monorel has no changelog support (the `changelog` feature is off)\n\
         help: use a `monorel` built with default features, or enable `monorel-cli/changelog`"
    )
}

#[cfg(feature = "changelog")]
pub(crate) use imp::{report, run};

#[cfg(feature = "changelog")]
mod imp {
    use std::{fs, path::Path, process::ExitCode};

    use anyhow::{Context, bail};
    use monorel::{
        apply,
        changelog::{self, Plan, Request},
        confine::{self, Tree},
        git::Repo,
        repo,
    };

    use crate::{
        args::ChangelogArgs,
        render::{out, outln},
    };

    pub(crate) fn run(dir: &Path, args: &ChangelogArgs) -> anyhow::Result<ExitCode> {
        let root =
            Repo::discover(dir).map_or_else(|| dir.to_path_buf(), |r| r.root().to_path_buf());
        let mut request = match &args.group {
            Some(name) => group_request(&root, name)?,
            // The changelog `[release] changelog` names, which the release promotes, with the
            // tag style of the repository's main group (the only one, or the one at the root).
            None => {
                let snapshot = crate::commands::load(&root)?;
                let model = repo::discover(&snapshot);
                let main = match model.groups.as_slice() {
                    [only] => Some(only),
                    groups => groups.iter().find(|g| {
                        model
                            .packages
                            .iter()
                            .any(|p| p.dir.is_empty() && g.packages.contains(&p.id))
                    }),
                };
                let mut request = Request {
                    changelog: snapshot.config.release.changelog.clone().into(),
                    ..Request::default()
                };
                // Without a main group, the style the repository tags plain releases with.
                let format = match main {
                    Some(group) => Some(group.tag.clone()),
                    None => repo::plain_tag_format(&snapshot.tags),
                };
                if let Some(format) = format {
                    request.tag_pattern = format.parse()?;
                }
                request
            }
        };
        let shown =
            crate::render::escape(&request.changelog.display().to_string().replace('\\', "/"))
                .into_owned();
        if let Some(version) = &args.notes {
            let bytes = Tree::new(&root)
                .read(&shown, confine::MAX_FILE_BYTES)?
                .with_context(|| format!("cannot read `{shown}`: there is no such file"))?;
            out!("{}", changelog::notes(&shown, &bytes, version)?);
            return Ok(ExitCode::SUCCESS);
        }
        request.all = args.all;
        let snapshot = changelog::load(&root, &request)?;
        let plan = changelog::plan(&snapshot, &request)?;
        if plan.last_tag.is_none() && plan.releases == 0 && !snapshot.tags.is_empty() {
            // Never take a whole history for one release without saying so.
            eprintln!("{}", whole_history_warning(&snapshot.tags, &request, &plan));
        }
        report(&plan, args.verbose);
        let after = String::from_utf8_lossy(&plan.after);
        if args.stdout {
            out!("{after}");
            return Ok(ExitCode::SUCCESS);
        }
        if args.check {
            if !plan.changes() {
                outln!("`{shown}` is up to date ({})", origin(&plan));
                return Ok(ExitCode::SUCCESS);
            }
            out!("{}", diff(&shown, plan.before.as_deref(), &plan.after));
            eprintln!("error: `{shown}` is not up to date: {}", what_changes(&plan));
            eprintln!("help: run `{}` and commit the result", command_name(args));
            return Ok(ExitCode::FAILURE);
        }
        if !plan.changes() {
            outln!("`{shown}` is up to date ({})", origin(&plan));
            return Ok(ExitCode::SUCCESS);
        }
        // Again at write time: no directory on the way may have become a link to elsewhere.
        let path = Tree::new(&root).resolve(&shown)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        apply::write_atomic(&path, &plan.after)
            .with_context(|| format!("cannot write `{shown}`"))?;
        outln!("`{shown}`: {} ({})", what_changes(&plan), origin(&plan));
        Ok(ExitCode::SUCCESS)
    }

    /// Why `[Unreleased]` takes the whole history: no tag follows the pattern, or none that does
    /// is in `HEAD`'s history; with the newest tags seen.
    fn whole_history_warning(
        tags: &[monorel::git::TagRef],
        request: &Request,
        plan: &Plan,
    ) -> String {
        let newest = |keep: &dyn Fn(&str) -> bool| {
            let mut seen: Vec<_> = tags.iter().filter(|t| keep(&t.name)).collect();
            seen.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.name.cmp(&a.name)));
            let names: Vec<String> = seen
                .iter()
                .take(3)
                .map(|t| format!("`{}`", crate::render::escape(&t.name)))
                .collect();
            names.join(", ")
        };
        let pattern = &request.tag_pattern;
        let n = plan.commits;
        if plan.release_tags == 0 {
            let versioned =
                |name: &str| name.contains('.') && name.contains(|c: char| c.is_ascii_digit());
            let seen = match newest(&versioned) {
                seen if seen.is_empty() => newest(&|_| true),
                seen => seen,
            };
            format!(
                "warning: no tag matches `{pattern}` (the newest tags are {seen}): [Unreleased] takes all {n} commits\nhelp: set the group's `tag` in `monorel.toml` to the style of its tags, or pass `--group`"
            )
        } else {
            let seen = newest(&|name| pattern.version_of(name).is_some());
            format!(
                "warning: {} {} `{pattern}` but none is in the history of `HEAD` (the newest: {seen}): [Unreleased] takes all {n} commits\nhelp: merge the release into this branch, run on the branch that has it, or pass `--group` for a group's own tags",
                plan.release_tags,
                if plan.release_tags == 1 { "tag matches" } else { "tags match" },
            )
        }
    }

    /// `--group NAME`: the group's changelog, tags and directories (`Request::for_group`).
    fn group_request(root: &Path, name: &str) -> anyhow::Result<Request> {
        let snapshot = crate::commands::load(root)?;
        let model = repo::discover(&snapshot);
        let Some(group) = model.group(name) else {
            let names: Vec<&str> = model.groups.iter().map(|g| g.name.as_str()).collect();
            bail!(
                "there is no group `{name}`\nhelp: the groups are: {} (see `monorel versions`)",
                names.join(", ")
            );
        };
        Ok(Request::for_group(&model, group, &snapshot.config.release.changelog)?)
    }

    fn what_changes(plan: &Plan) -> String {
        let s = plan.stats;
        let mut parts = vec![format!(
            "[Unreleased] {} {} added",
            s.added,
            if s.added == 1 { "entry" } else { "entries" }
        )];
        if s.removed > 0 {
            parts.push(format!("{} removed", s.removed));
        }
        parts.push(format!("{} kept", s.kept));
        if s.hand > 0 {
            parts.push(format!("{} written by hand kept", s.hand));
        }
        if plan.releases > 0 {
            parts.push(format!("{} release sections written", plan.releases));
        }
        parts.join(", ")
    }

    /// The plan's warnings, and how many commits were left out as no Conventional Commits
    /// (`-v` lists them), on standard error: for `changelog` and the release's dry run.
    pub(crate) fn report(plan: &Plan, verbose: bool) {
        for warning in &plan.warnings {
            eprintln!("warning: {}", crate::render::escape_lines(warning));
        }
        let n = plan.left_out.len();
        if n == 0 {
            return;
        }
        let (commits, are) = if n == 1 { ("commit", "is") } else { ("commits", "are") };
        match verbose {
            true => {
                eprintln!(
                    "{n} {commits} left out: no Conventional Commit, and no `cliff.toml` rule lists {}:",
                    if n == 1 { "it" } else { "them" }
                );
                for (id, subject) in &plan.left_out {
                    eprintln!("  {id} {}", crate::render::escape(subject));
                }
            }
            false => eprintln!(
                "note: {n} {commits} of the range {are} no Conventional Commit and left out (`-v` lists them)"
            ),
        }
    }

    fn origin(plan: &Plan) -> String {
        let commits = if plan.commits == 1 { "commit" } else { "commits" };
        match &plan.last_tag {
            Some(tag) if plan.releases == 0 => format!("{} {commits} since `{tag}`", plan.commits),
            _ => format!("{} {commits}", plan.commits),
        }
    }

    /// How the user runs this command again: `cargo xtask changelog` from an xtask.
    fn command_name(args: &ChangelogArgs) -> String {
        let program = std::env::args_os().next().unwrap_or_default();
        let stem = Path::new(&program).file_stem().and_then(|s| s.to_str()).unwrap_or("monorel");
        let mut command = match stem.strip_prefix("xtask") {
            Some(_) => "cargo xtask changelog".to_string(),
            None => "monorel changelog".to_string(),
        };
        if args.all {
            command.push_str(" --all");
        }
        if let Some(group) = &args.group {
            command.push_str(&format!(" --group {group}"));
        }
        command
    }

    /// A unified diff with git's `a/` and `b/` headers (`/dev/null` for a file to create).
    fn diff(path: &str, before: Option<&[u8]>, after: &[u8]) -> String {
        let old = before.map(String::from_utf8_lossy).unwrap_or_default();
        let new = String::from_utf8_lossy(after);
        let from = if before.is_some() { format!("a/{path}") } else { "/dev/null".to_string() };
        similar::TextDiff::from_lines(old.as_ref(), new.as_ref())
            .unified_diff()
            .context_radius(3)
            .header(&from, &format!("b/{path}"))
            .missing_newline_hint(true)
            .to_string()
    }
}
