//! A release and its remote: `--pull` fast-forwards first, and a branch pushed for the first
//! time gets its upstream.

use crate::support::{TestRepo, transcript};

use crate::release::DATE;

/// v1.2.0 and a `feat` on `main`, pushed to a bare `origin`.
fn project(config: &str) -> TestRepo {
    let repo = crate::release_warnings::project(config);
    repo.write("contd/engine.py", "x = 1\n").commit("feat: durable timers");
    repo.with_remote();
    repo
}

#[test]
fn pull_fast_forwards_the_branch_before_the_release() {
    let repo = project("");
    // Someone else pushed a fix; this clone has fetched nothing of it.
    let ours = repo.git(&["rev-parse", "HEAD"]);
    repo.write("contd/engine.py", "x = 2\n").commit("fix: retry on timeout");
    repo.git(&["push", "-q", "origin", "main"]);
    let theirs = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["reset", "-q", "--hard", ours.trim()]);
    repo.git(&["update-ref", "refs/remotes/origin/main", ours.trim()]);

    let behind = repo.monorel_with(&[DATE], &["release", "minor"]);
    assert!(!behind.status.success());
    assert!(transcript(&behind).contains("error: the branch is 1 commit behind `origin/main`\nhelp: pull first (`git pull --rebase`), or release with `--pull` to fast-forward"), "{}", transcript(&behind));

    let output = repo.monorel_with(&[DATE], &["release", "minor", "--pull", "--push", "--execute"]);
    let text = transcript(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(
            "note: fast-forwarded `main` by 1 commit to `origin/main` (`--pull`), before planning"
        ),
        "{text}"
    );
    assert_eq!(
        repo.git(&["rev-parse", "HEAD~1"]),
        theirs,
        "the release commit is on top of the pulled fix"
    );
    assert!(repo.read("CHANGELOG.md").contains("- Retry on timeout"));
    assert_eq!(repo.remote_git(&["rev-parse", "main"]), repo.git(&["rev-parse", "HEAD"]));

    // A branch that diverged is not merged for you.
    repo.write("a.txt", "ours\n").commit("fix: ours");
    let head = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["reset", "-q", "--hard", "HEAD~1"]);
    repo.write("b.txt", "theirs\n").commit("fix: theirs");
    repo.git(&["push", "-q", "origin", "main"]);
    repo.git(&["reset", "-q", "--hard", head.trim()]);
    let diverged = repo.monorel_with(&[DATE], &["release", "patch", "--pull"]);
    assert!(!diverged.status.success());
    assert!(transcript(&diverged).contains("`main` and `origin/main` have diverged (1 and 1 commits of their own), so `--pull` cannot fast-forward"), "{}", transcript(&diverged));
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn a_branch_pushed_for_the_first_time_gets_its_upstream() {
    let repo = project("[release]\nbranches = [\"main\", \"release/*\"]\npush = true\n");
    repo.git(&["switch", "-q", "-c", "release/v1.3.0"]);
    let dry = repo.monorel_with(&[DATE], &["release", "minor"]);
    assert!(transcript(&dry).contains("push `release/v1.3.0` and `v1.3.0` to `origin` together (`git push --atomic`), and make `origin/release/v1.3.0` the branch's upstream"), "{}", transcript(&dry));
    let output = repo.monorel_with(&[DATE], &["release", "minor", "--execute"]);
    assert!(output.status.success(), "{}", transcript(&output));
    assert_eq!(
        repo.git(&["rev-parse", "--abbrev-ref", "release/v1.3.0@{upstream}"]),
        "origin/release/v1.3.0\n"
    );
    assert_eq!(repo.remote_git(&["rev-parse", "release/v1.3.0"]), repo.git(&["rev-parse", "HEAD"]));
    // `main` kept its own upstream, and a release there does not mention it.
    repo.git(&["switch", "-q", "main"]);
    repo.write("contd/engine.py", "x = 3\n").commit("fix: later");
    let main = repo.monorel_with(&[DATE], &["release", "patch"]);
    assert!(!transcript(&main).contains("upstream"), "{}", transcript(&main));
}
