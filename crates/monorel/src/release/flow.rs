//! Branch flows (`[release.flow]`): starting a release branch, finishing a release into `main`
//! with the back-merge into `develop`, hotfix branches, and tagging a release that is already
//! bumped. A flow is not a machine of its own: it is the part of a [`ReleasePlan`] that adds
//! steps (`Step::Branch`, `Step::Merge`, `Step::BackMerge`, `Step::DeleteBranch`) to the one
//! release plan, recorded in the same state file and run by the same executor, so `--resume`
//! and `--abort` cover it.
//!
//! Everything here is pure: which branches, merges and refs, from the configuration and the
//! branch names loaded by the caller.
//!
//! [`ReleasePlan`]: super::ReleasePlan

use serde_json::{Value, json};

use crate::{config::FlowConfig, version::Version};

/// What a flow command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    /// `release start`: a release branch with the bump and the dated changelog.
    Start,
    /// `release finish`: merges (and the tag) of a release or hotfix branch, or of `develop`.
    Finish,
    /// `release hotfix`: a hotfix branch from a tag or from `main`.
    Hotfix,
    /// `release tag`: the tag of a release that is already bumped.
    Tag,
}

impl FlowKind {
    /// The name in the state file and in messages.
    pub fn name(self) -> &'static str {
        match self {
            FlowKind::Start => "start",
            FlowKind::Finish => "finish",
            FlowKind::Hotfix => "hotfix",
            FlowKind::Tag => "tag",
        }
    }

    fn from_name(name: &str) -> Option<FlowKind> {
        [FlowKind::Start, FlowKind::Finish, FlowKind::Hotfix, FlowKind::Tag]
            .into_iter()
            .find(|k| k.name() == name)
    }
}

/// A branch the flow creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBranch {
    /// Its name (`release/v1.3.0`).
    pub name: String,
    /// What it starts from, as the user named it (`develop`, `v1.2.0`).
    pub from: String,
    /// The commit that names, at planning.
    pub commit: String,
}

/// One merge of the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    /// The branch merged into (checked out for the merge).
    pub into: String,
    /// The branch merged in (its tip when the merge runs).
    pub from: String,
    /// Always a merge commit (`--no-ff`).
    pub no_ff: bool,
    /// The merge commit's message.
    pub message: String,
}

/// The branch part of a release plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowPlan {
    /// Which command.
    pub kind: FlowKind,
    /// The branch checked out when the release started.
    pub start_branch: String,
    /// The branch created, if any (then checked out: the release commit goes there).
    pub new_branch: Option<NewBranch>,
    /// The merge into `main` whose commit is tagged.
    pub release_merge: Option<Merge>,
    /// The merges back (into `develop`, or the open release branch), after the tag.
    pub back_merges: Vec<Merge>,
    /// Whether the flow makes the tag (not when the branch was tagged already).
    pub tag: bool,
    /// The finished branch to delete, if asked.
    pub delete_branch: Option<String>,
    /// Delete it on the remote too (in the same atomic push).
    pub delete_remote: bool,
    /// The branch checked out at the end.
    pub end_branch: String,
    /// Every local branch the flow moves, creates or deletes, with its commit at the start
    /// (`None`: it did not exist).
    pub refs_at_start: Vec<(String, Option<String>)>,
    /// The branches pushed (with the tag, when the flow makes one), atomically.
    pub push_branches: Vec<String>,
    /// Set each pushed branch's upstream (`git push --set-upstream`).
    pub set_upstream: bool,
    /// The changelog monorel resolves when a merge conflicts in it.
    pub changelog: String,
}

impl FlowPlan {
    /// The refspecs for `git push --atomic`: the branches, the tag, the branch deleted.
    pub fn refspecs(&self, tag: &str) -> Vec<String> {
        let mut refs: Vec<String> =
            self.push_branches.iter().map(|b| format!("refs/heads/{b}:refs/heads/{b}")).collect();
        if self.tag {
            refs.push(format!("refs/tags/{tag}:refs/tags/{tag}"));
        }
        if let (Some(branch), true) = (&self.delete_branch, self.delete_remote) {
            refs.push(format!(":refs/heads/{branch}"));
        }
        refs
    }

    /// The branch the release commit goes on.
    pub fn commit_branch(&self) -> &str {
        self.new_branch.as_ref().map_or(&self.start_branch, |b| &b.name)
    }
}

/// The branch named by `template` (`release/v{version}`) for `version`.
pub fn branch_name(template: &str, version: &Version) -> String {
    template.replace("{version}", &version.to_string())
}

/// The version a branch named by `template` carries (`release/v1.3.0` -> `1.3.0`), if it is one.
pub fn branch_version(template: &str, branch: &str) -> Option<Version> {
    let (before, after) = template.split_once("{version}")?;
    let middle = branch.strip_prefix(before)?.strip_suffix(after)?;
    Version::parse(middle).ok()
}

/// What a branch is in the flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// `main`.
    Main,
    /// `develop` (when it is another branch than `main`).
    Develop,
    /// A release branch, with the version in its name.
    Release(Version),
    /// A hotfix branch, with the version in its name.
    Hotfix(Version),
    /// Something else.
    Other,
}

/// The role of `branch` under `config`.
pub fn role(config: &FlowConfig, branch: &str) -> Role {
    if branch == config.main {
        return Role::Main;
    }
    if branch == config.develop {
        return Role::Develop;
    }
    if let Some(v) = config.release_branch.as_deref().and_then(|t| branch_version(t, branch)) {
        return Role::Release(v);
    }
    match branch_version(&config.hotfix_branch, branch) {
        Some(v) => Role::Hotfix(v),
        None => Role::Other,
    }
}

/// The branch patterns a release may be cut from under a flow (for `[release] branches` left
/// empty): `main`, `develop`, and the release and hotfix branches.
pub fn release_branches(config: &FlowConfig) -> Vec<String> {
    let mut list = vec![config.main.clone(), config.develop.clone()];
    list.extend(config.release_branch.iter().map(|t| t.replace("{version}", "*")));
    list.push(config.hotfix_branch.replace("{version}", "*"));
    list.dedup();
    list
}

/// Why a flow cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}\nhelp: {help}")]
pub struct FlowError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

fn refuse(message: String, help: &str) -> FlowError {
    FlowError { message, help: help.to_string() }
}

/// The repository facts a flow is planned from.
#[derive(Debug, Clone, Default)]
pub struct Branches {
    /// The branch checked out.
    pub current: String,
    /// Every local branch, with its commit.
    pub local: Vec<(String, String)>,
    /// The branches the remote has (short names), as last fetched.
    pub remote: Vec<String>,
}

impl Branches {
    fn tip(&self, name: &str) -> Option<String> {
        self.local.iter().find(|(n, _)| n == name).map(|(_, c)| c.clone())
    }
}

/// `release start`: a release branch for `version` from `develop` (the branch checked out).
pub fn start(
    config: &FlowConfig,
    branches: &Branches,
    version: &Version,
) -> Result<FlowPlan, FlowError> {
    let Some(template) = &config.release_branch else {
        return Err(refuse(
            "`[release.flow]` has no `release-branch`, so there is no release branch to start"
                .into(),
            "name one (`release-branch = \"release/v{version}\"`), or release `develop` into `main` with `monorel release finish <level>`",
        ));
    };
    if branches.current != config.develop {
        return Err(refuse(
            format!(
                "a release branch starts from `{}`, and this is `{}`",
                config.develop, branches.current
            ),
            &format!("`git switch {}`, then start the release", config.develop),
        ));
    }
    let name = branch_name(template, version);
    new_branch_free(branches, &name)?;
    let commit = branches.tip(&config.develop).unwrap_or_default();
    Ok(branch_off(FlowKind::Start, branches, name, &config.develop, &commit))
}

/// `release hotfix`: a hotfix branch for `version` from `from` (a tag, or `main`'s tip).
pub fn hotfix(
    config: &FlowConfig,
    branches: &Branches,
    version: &Version,
    from: &str,
    from_commit: &str,
) -> Result<FlowPlan, FlowError> {
    let name = branch_name(&config.hotfix_branch, version);
    new_branch_free(branches, &name)?;
    Ok(branch_off(FlowKind::Hotfix, branches, name, from, from_commit))
}

/// A flow that creates branch `name` at `commit` (`from` names it), switches to it, and pushes
/// it with its upstream set: what `release start` and `release hotfix` both plan.
fn branch_off(
    kind: FlowKind,
    branches: &Branches,
    name: String,
    from: &str,
    commit: &str,
) -> FlowPlan {
    FlowPlan {
        kind,
        start_branch: branches.current.clone(),
        new_branch: Some(NewBranch {
            name: name.clone(),
            from: from.to_string(),
            commit: commit.to_string(),
        }),
        release_merge: None,
        back_merges: Vec::new(),
        tag: false,
        delete_branch: None,
        delete_remote: false,
        end_branch: name.clone(),
        refs_at_start: vec![(name.clone(), None)],
        push_branches: vec![name],
        set_upstream: true,
        changelog: String::new(),
    }
}

fn new_branch_free(branches: &Branches, name: &str) -> Result<(), FlowError> {
    if branches.tip(name).is_some() || branches.remote.iter().any(|b| b == name) {
        return Err(refuse(
            format!("branch `{name}` already exists"),
            "finish it (`monorel release finish` on it), or delete it if it was a mistake",
        ));
    }
    Ok(())
}

/// `release finish`: the branch checked out (a release or hotfix branch, or `develop` when
/// there are no release branches) into `main` with `--no-ff`, the tag on that merge commit,
/// then `main` back into `develop`, or into the open release branch for a hotfix. When `main`
/// and `develop` are one branch, the tag goes on the branch itself and the branch is merged
/// back into `main`. `tagged`: the tag already names the branch's tip (it was released there),
/// so only the merges are left.
pub fn finish(
    config: &FlowConfig,
    branches: &Branches,
    tagged: bool,
    delete: bool,
) -> Result<FlowPlan, FlowError> {
    let branch = branches.current.clone();
    let role = role(config, &branch);
    let one_trunk = config.main == config.develop;
    match &role {
        Role::Main => {
            return Err(refuse(
                format!("`{branch}` is what is released: there is nothing to finish into it"),
                "switch to the release or hotfix branch (or to `develop`), then `monorel release finish`",
            ));
        }
        Role::Other => {
            return Err(refuse(
                format!(
                    "`{branch}` is neither a release nor a hotfix branch, nor `{}`",
                    config.develop
                ),
                "switch to the branch to finish, or name it in `[release.flow]`",
            ));
        }
        Role::Develop if config.release_branch.is_some() => {
            return Err(refuse(
                format!(
                    "`{branch}` is released through a release branch (`[release.flow] release-branch`)"
                ),
                "start one with `monorel release start <level>`, then finish it",
            ));
        }
        _ => {}
    }
    let merge = |into: &str, from: &str, no_ff: bool| Merge {
        into: into.to_string(),
        from: from.to_string(),
        no_ff,
        message: format!("Merge branch '{from}' into {into}"),
    };
    let mut refs_at_start = vec![(branch.clone(), branches.tip(&branch))];
    let mut push_branches = Vec::new();
    let (release_merge, back_into, back_from) = if one_trunk {
        (None, config.main.clone(), branch.clone())
    } else {
        // A hotfix goes back into the open release branch when there is one, as git-flow does.
        let open_release = match &role {
            Role::Hotfix(_) => branches
                .local
                .iter()
                .map(|(n, _)| n.clone())
                .find(|n| matches!(self::role(config, n), Role::Release(_))),
            _ => None,
        };
        let back = open_release.unwrap_or_else(|| config.develop.clone());
        (Some(merge(&config.main, &branch, true)), back, config.main.clone())
    };
    if let Some(m) = &release_merge {
        refs_at_start.push((m.into.clone(), branches.tip(&m.into)));
        push_branches.push(m.into.clone());
    }
    // `develop` finished into `main` gets `main`'s merge commit back too (a fast-forward).
    let back_merges = vec![merge(&back_into, &back_from, false)];
    for m in &back_merges {
        if branches.tip(&m.into).is_none() {
            return Err(refuse(
                format!("there is no local branch `{}` to merge back into", m.into),
                &format!("create it (`git switch -c {0} origin/{0}`), then finish again", m.into),
            ));
        }
        if !refs_at_start.iter().any(|(n, _)| *n == m.into) {
            refs_at_start.push((m.into.clone(), branches.tip(&m.into)));
        }
        if !push_branches.contains(&m.into) {
            push_branches.push(m.into.clone());
        }
    }
    if let Some(m) = &release_merge {
        if branches.tip(&m.into).is_none() {
            return Err(refuse(
                format!("there is no local branch `{}` to finish into", m.into),
                &format!("create it (`git switch -c {0} origin/{0}`), then finish again", m.into),
            ));
        }
    }
    let deletable = !matches!(role, Role::Develop) && branch != config.main;
    let delete_branch = ((delete || config.delete_branch) && deletable).then(|| branch.clone());
    let delete_remote = delete_branch.is_some() && branches.remote.contains(&branch);
    let end_branch = back_merges.last().map_or(branch.clone(), |m| m.into.clone());
    if delete_branch.is_none()
        && !push_branches.contains(&branch)
        && branches.remote.contains(&branch)
    {
        push_branches.push(branch.clone());
    }
    Ok(FlowPlan {
        kind: FlowKind::Finish,
        start_branch: branch,
        new_branch: None,
        release_merge,
        back_merges,
        tag: !tagged,
        delete_branch,
        delete_remote,
        end_branch,
        refs_at_start,
        push_branches,
        set_upstream: false,
        changelog: String::new(),
    })
}

/// `release tag`: the tag at `HEAD` of the branch checked out, and its push.
pub fn tag(branches: &Branches) -> FlowPlan {
    let branch = branches.current.clone();
    FlowPlan {
        kind: FlowKind::Tag,
        start_branch: branch.clone(),
        new_branch: None,
        release_merge: None,
        back_merges: Vec::new(),
        tag: true,
        delete_branch: None,
        delete_remote: false,
        end_branch: branch.clone(),
        refs_at_start: vec![(branch.clone(), branches.tip(&branch))],
        push_branches: vec![branch],
        set_upstream: false,
        changelog: String::new(),
    }
}

/// The flow as the state file keeps it.
pub fn to_json(flow: &FlowPlan) -> Value {
    let merge =
        |m: &Merge| json!({"into": m.into, "from": m.from, "no_ff": m.no_ff, "message": m.message});
    json!({
        "kind": flow.kind.name(),
        "start_branch": flow.start_branch,
        "new_branch": flow.new_branch.as_ref().map(|b| json!({"name": b.name, "from": b.from, "commit": b.commit})),
        "release_merge": flow.release_merge.as_ref().map(merge),
        "back_merges": flow.back_merges.iter().map(merge).collect::<Vec<_>>(),
        "tag": flow.tag,
        "delete_branch": flow.delete_branch,
        "delete_remote": flow.delete_remote,
        "end_branch": flow.end_branch,
        "refs_at_start": flow.refs_at_start.iter().map(|(b, c)| json!([b, c])).collect::<Vec<_>>(),
        "push_branches": flow.push_branches,
        "set_upstream": flow.set_upstream,
        "changelog": flow.changelog,
    })
}

/// The flow read back from the state file (`None` for a trunk release; `Err` names the field).
pub fn from_json(v: &Value) -> Result<Option<FlowPlan>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let s = |v: &Value, key: &str| {
        v[key].as_str().map(str::to_string).ok_or_else(|| format!("`flow.{key}` is missing"))
    };
    let merge = |m: &Value| -> Result<Merge, String> {
        Ok(Merge {
            into: s(m, "into")?,
            from: s(m, "from")?,
            no_ff: m["no_ff"].as_bool().unwrap_or(false),
            message: s(m, "message")?,
        })
    };
    let new_branch = match &v["new_branch"] {
        Value::Null => None,
        b => Some(NewBranch { name: s(b, "name")?, from: s(b, "from")?, commit: s(b, "commit")? }),
    };
    let release_merge = match &v["release_merge"] {
        Value::Null => None,
        m => Some(merge(m)?),
    };
    let list = |key: &str| v[key].as_array().cloned().unwrap_or_default();
    let back_merges = list("back_merges").iter().map(merge).collect::<Result<Vec<_>, _>>()?;
    let refs_at_start = list("refs_at_start")
        .iter()
        .map(|pair| {
            let name = pair[0].as_str().ok_or("`flow.refs_at_start` is damaged")?;
            Ok((name.to_string(), pair[1].as_str().map(str::to_string)))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Some(FlowPlan {
        kind: FlowKind::from_name(&s(v, "kind")?).ok_or("`flow.kind` is unknown")?,
        start_branch: s(v, "start_branch")?,
        new_branch,
        release_merge,
        back_merges,
        tag: v["tag"].as_bool().unwrap_or(false),
        delete_branch: v["delete_branch"].as_str().map(str::to_string),
        delete_remote: v["delete_remote"].as_bool().unwrap_or(false),
        end_branch: s(v, "end_branch")?,
        refs_at_start,
        push_branches: list("push_branches")
            .iter()
            .filter_map(|b| b.as_str().map(str::to_string))
            .collect(),
        set_upstream: v["set_upstream"].as_bool().unwrap_or(false),
        changelog: v["changelog"].as_str().unwrap_or_default().to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(develop: &str, release: Option<&str>) -> FlowConfig {
        FlowConfig {
            develop: develop.into(),
            main: "main".into(),
            release_branch: release.map(Into::into),
            hotfix_branch: "hotfix/v{version}".into(),
            delete_branch: false,
        }
    }

    fn on(current: &str, local: &[&str]) -> Branches {
        Branches {
            current: current.into(),
            local: local.iter().map(|b| (b.to_string(), format!("{b}-tip"))).collect(),
            remote: Vec::new(),
        }
    }

    #[test]
    fn branch_names_carry_their_version() {
        assert_eq!(
            branch_version("release-v{version}", "release-v1.3.0"),
            Version::parse("1.3.0").ok()
        );
        assert_eq!(branch_version("release/v{version}", "release/vx"), None);
        let c = config("develop", Some("release/v{version}"));
        assert_eq!(role(&c, "hotfix/v1.2.1"), Role::Hotfix(Version::parse("1.2.1").unwrap()));
        assert_eq!(role(&c, "develop"), Role::Develop);
        assert_eq!(role(&c, "feature/x"), Role::Other);
        assert_eq!(release_branches(&c), ["main", "develop", "release/v*", "hotfix/v*"]);
    }

    #[test]
    fn finishing_a_release_branch_merges_into_main_then_back_into_develop() {
        let c = config("develop", Some("release-v{version}"));
        let plan =
            finish(&c, &on("release-v1.3.0", &["main", "develop", "release-v1.3.0"]), false, true)
                .unwrap();
        let merges: Vec<_> = plan
            .release_merge
            .iter()
            .chain(&plan.back_merges)
            .map(|m| (m.from.as_str(), m.into.as_str(), m.no_ff))
            .collect();
        assert_eq!(merges, [("release-v1.3.0", "main", true), ("main", "develop", false)]);
        assert_eq!(plan.delete_branch.as_deref(), Some("release-v1.3.0"));
        assert_eq!(
            plan.refspecs("v1.3.0"),
            [
                "refs/heads/main:refs/heads/main",
                "refs/heads/develop:refs/heads/develop",
                "refs/tags/v1.3.0:refs/tags/v1.3.0"
            ]
        );
        assert_eq!(plan.end_branch, "develop");
    }

    #[test]
    fn a_hotfix_goes_back_into_the_open_release_branch_and_one_trunk_tags_the_branch() {
        let c = config("develop", Some("release/v{version}"));
        let plan = finish(
            &c,
            &on("hotfix/v1.2.1", &["main", "develop", "release/v1.3.0", "hotfix/v1.2.1"]),
            false,
            false,
        )
        .unwrap();
        assert_eq!(plan.back_merges[0].into, "release/v1.3.0");
        let trunk = config("main", Some("release/v{version}"));
        let plan =
            finish(&trunk, &on("hotfix/v1.2.1", &["main", "hotfix/v1.2.1"]), true, false).unwrap();
        assert!(plan.release_merge.is_none() && !plan.tag);
        assert_eq!(
            (plan.back_merges[0].from.as_str(), plan.back_merges[0].into.as_str()),
            ("hotfix/v1.2.1", "main")
        );
        let err = finish(&c, &on("develop", &["main", "develop"]), false, false).unwrap_err();
        assert!(err.message.contains("through a release branch"), "{err}");
    }

    #[test]
    fn the_state_keeps_the_whole_flow() {
        let c = config("dev", None);
        let plan = finish(&c, &on("dev", &["main", "dev"]), false, false).unwrap();
        assert_eq!(from_json(&to_json(&plan)).unwrap(), Some(plan));
        assert_eq!(from_json(&Value::Null).unwrap(), None);
    }
}
