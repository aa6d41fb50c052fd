//! Data-driven tests for the Python editor: one `check` per quirk, through [`plan_file`].

use semver::Version;

use crate::editors::{FileKind, plan_file};

/// Plans `old -> new` on `input` and compares with `expected`: the whole output file for an
/// edit, or `refuse <Reason>: <part of the message>` for a refusal.
#[test]
fn a_release_tuple_is_the_version_of_its_project() {
    let text = "VERSION = (6, 1, 0, 'alpha', 0)\n\n__version__ = get_version(VERSION)\n";
    let sites = super::scan_project_module(text).unwrap();
    assert_eq!(sites.len(), 1);
    assert_eq!(sites[0].spelling, crate::version::Spelling::ReleaseTuple);
    let change = crate::editors::change(&sites[0], &Version::parse("6.1.0").unwrap()).unwrap();
    assert_eq!(change.to, "6, 1, 0, 'final', 0");
}

fn check(input: &str, old: &str, new: &str, expected: &str) {
    let (old, new) = (Version::parse(old).unwrap(), Version::parse(new).unwrap());
    match (
        plan_file(FileKind::Python, input.as_bytes(), &old, &new),
        expected.strip_prefix("refuse "),
    ) {
        (Ok(edit), None) => assert_eq!(String::from_utf8(edit.after).unwrap(), expected, "{input}"),
        (Err(e), Some(want)) => {
            let (reason, part) = want.split_once(": ").unwrap_or((want, ""));
            let got = format!("{:?}: {} (help: {:?})", e.reason, e.message, e.help);
            assert_eq!(format!("{:?}", e.reason), reason, "{got}\n{input}");
            assert!(got.contains(part), "`{part}` not in {got}\n{input}");
            assert!(e.help.is_some(), "no help in {got}");
            assert!(e.line.is_some() || e.reason == crate::editors::Reason::NoVersion, "{got}");
        }
        (Ok(edit), Some(_)) => {
            panic!("expected a refusal, got\n{}", String::from_utf8_lossy(&edit.after))
        }
        (Err(e), None) => panic!("expected an edit, got {:?}: {}\n{input}", e.reason, e.message),
    }
}

/// `text` with the last `from` replaced by `to`.
fn replace_last(text: &str, from: &str, to: &str) -> String {
    let (before, after) = text.rsplit_once(from).unwrap();
    format!("{before}{to}{after}")
}

#[test]
fn declarations() {
    check("__version__ = '0.11.4'\n", "0.11.4", "0.12.0", "__version__ = '0.12.0'\n");
    check("VERSION = \"1.9.0a1\"\n", "1.9.0-alpha.1", "1.9.0", "VERSION = \"1.9.0\"\n");
    check("version = '1'\n", "1.0.0", "1.0.1", "version = '1.0.1'\n");
    check("__VERSION__ = \"5.0.0b3\"", "5.0.0-beta.3", "5.0.0-rc.1", "__VERSION__ = \"5.0.0rc1\"");
    check("_version = u'2.1.0.dev0'\n", "2.1.0-dev", "2.1.0", "_version = u'2.1.0'\n");
    check("__version__ = r\"1.0.0\"\n", "1.0.0", "1.0.1", "__version__ = r\"1.0.1\"\n");
    check(
        "__version__ = \"\"\"1.0.0\"\"\"\n",
        "1.0.0",
        "2.0.0",
        "__version__ = \"\"\"2.0.0\"\"\"\n",
    );
    check("__version__ = (\"1.0.0\")\n", "1.0.0", "1.1.0", "__version__ = (\"1.1.0\")\n");
    check("__version__=\"1.0.0\"# x\n", "1.0.0", "1.1.0", "__version__=\"1.1.0\"# x\n");
    // Chained and annotated assignments; an annotation without a value is no site.
    check(
        "__version__ = VERSION = \"6.1.0\"\n",
        "6.1.0",
        "6.1.1",
        "__version__ = VERSION = \"6.1.1\"\n",
    );
    check(
        "version: str\n__version__: str = \"1.0.0\"\nV: Final[str] = \"9\"\n",
        "1.0.0",
        "1.0.1",
        "version: str\n__version__: str = \"1.0.1\"\nV: Final[str] = \"9\"\n",
    );
    // Several declarations agree and all move; a statement after `;` is at module level.
    check(
        "import sys; __version__ = '1.0.0'\nVERSION = __version__\n",
        "1.0.0",
        "1.0.1",
        "import sys; __version__ = '1.0.1'\nVERSION = __version__\n",
    );
    check("__version__ = \\\n    '1.0.0'\n", "1.0.0", "1.0.1", "__version__ = \\\n    '1.0.1'\n");
    // A version name assigned a name follows it to its literal.
    check(
        "_RELEASE = '3.0.0'\n__version__ = _RELEASE\n",
        "3.0.0",
        "3.1.0",
        "_RELEASE = '3.1.0'\n__version__ = _RELEASE\n",
    );
    // A version name with exactly three integers is the version, spelled as a tuple.
    check(
        "VERSION = (1, 2, 3)\n__version__ = '.'.join(map(str, VERSION))\n",
        "1.2.3",
        "1.3.0",
        "VERSION = (1, 3, 0)\n__version__ = '.'.join(map(str, VERSION))\n",
    );
}

#[test]
fn bytes_are_kept() {
    // CRLF, no final newline, a BOM, tabs, non-ASCII text before the site.
    check(
        "\"\"\"Doc.\"\"\"\r\n__version__ = \"1.0.0\"\r\n",
        "1.0.0",
        "1.0.1",
        "\"\"\"Doc.\"\"\"\r\n__version__ = \"1.0.1\"\r\n",
    );
    check("x = 1\n__version__ = '1.0.0'", "1.0.0", "1.0.1", "x = 1\n__version__ = '1.0.1'");
    check("\u{feff}__version__ = '1.0.0'\n", "1.0.0", "2.0.0", "\u{feff}__version__ = '2.0.0'\n");
    check(
        "if x:\n\tversion = '0.1.0'\nnom = 'é—ü'  # ✓\n__version__ = '1.0.0'\n",
        "1.0.0",
        "1.0.1",
        "if x:\n\tversion = '0.1.0'\nnom = 'é—ü'  # ✓\n__version__ = '1.0.1'\n",
    );
}

#[test]
fn lookalikes_stay() {
    // Docstrings (any prefix, any quotes) with column-0 look-alike lines, and comments.
    let input = "\"\"\"Tilemaker 0.9.2.\n__version__ = \"0.9.2\"\n\"\"\"\n# __version__ = \"0.9.2\"\nR'''\n__version__ = '0.9.2'\n'''\nx = rb\"\"\"\nversion = '0.9.2'\"\"\"\n__version__ = \"0.9.2\"\n";
    check(input, "0.9.2", "0.10.0", &replace_last(input, "0.9.2", "0.10.0"));
    // Strings that hold quotes, escapes and f-string fields with nested quotes.
    let input = "a = 'it\\'s \"\\\n__version__ = \"9\"'\nb = f\"{d['k']!r:>{w}} {x:'^9}\"\nc = f\"{d[\"k\"]}\"\nd = '''x ''' + \"\"\"y\"z\"\"\"\n__version__ = '1.0.0'\n";
    check(input, "1.0.0", "1.0.1", &input.replace("'1.0.0'", "'1.0.1'"));
    // Indented code, block bodies, call keywords, brackets spanning lines at column 0.
    let input = "class Meta:\n    version = '1.0.0'\ndef f():\n    __version__ = '1.0.0'\nif True: __version__ = '1.0.0'\nconfig = dict(\n__version__='1.0.0',\n)\nparser.add_argument('--version', action='version', version='1.0.0')\n__version__ = '1.0.0'\n";
    check(input, "1.0.0", "1.0.1", &replace_last(input, "1.0.0", "1.0.1"));
    // Other names with the same digits; a function named version_info.
    let input = "__version__ = '3.2.1'\nshort_version = '3.2.1'\n_FORMAT_SINCE = '3.2.1'\nversion_string = '3.2.1'\ndef version_info():\n    return (3, 2, 1)\n";
    check(input, "3.2.1", "3.2.2", &input.replacen("3.2.1", "3.2.2", 1));
}

#[test]
fn tuples_follow() {
    check(
        "version = \"3.2.1\"\nversion_info = (3, 2, 1)\nshort_version = \"3.2\"\n",
        "3.2.1",
        "3.2.2",
        "version = \"3.2.2\"\nversion_info = (3, 2, 2)\nshort_version = \"3.2\"\n",
    );
    check(
        "__version__ = '9.10.11'\n__version_info__ = ( 9,10 , 11, )\nVERSION_TUPLE = 9, 10, 11\n",
        "9.10.11",
        "10.0.0",
        "__version__ = '10.0.0'\n__version_info__ = ( 10,0 , 0, )\nVERSION_TUPLE = 10, 0, 0\n",
    );
    // Tuples that are not three integers, or that name another version, stay.
    let input = "__version__ = '1.2.3'\nversion_info = (1, 2, 3, 'final', 0)\nversion_tuple = (1, 2)\n__version_info__ = tuple(int(p) for p in __version__.split('.'))\nVERSION_INFO = (0, 9, 0)\nversion_info2 = (1, 2, 3)\n__version_tuple__ = (1,  # major\n 2, 3)\n";
    check(input, "1.2.3", "1.2.4", &input.replacen("1.2.3", "1.2.4", 1));
}

#[test]
fn setup_py() {
    // A literal keyword; requirement pins and other calls' `version=` stay.
    let input = "from setuptools import setup\n\nif __name__ == '__main__':\n    setup(\n        name='x',\n        version='0.4.0',\n        install_requires=['y==0.4.0'],\n    )\nap.add_argument('--version', version='0.4.0')\n";
    check(input, "0.4.0", "0.5.0", &input.replacen("'0.4.0'", "'0.5.0'", 1));
    // A constant with any name is followed, once, wherever the call is.
    let input = "import setuptools\n_V = \"0.4.0\"\ndef run():\n    setuptools.setup(name='c', version=_V, extras_require={'s': ['u==0.4.0']})\nrun()\n";
    check(input, "0.4.0", "0.5.0", &input.replacen("\"0.4.0\"", "\"0.5.0\"", 1));
    // A dict passed as `setup(**meta)`, as `dict(...)` or a display.
    for meta in ["dict(name='m', version='2.0.0')", "{'name': 'm', \"version\": '2.0.0'}"] {
        let input = format!("meta = {meta}\nsetup(**meta)\n");
        check(&input, "2.0.0", "2.0.1", &input.replace("2.0.0", "2.0.1"));
    }
    check(
        "meta = load()\nsetup(**meta)\n",
        "1.0.0",
        "1.1.0",
        "refuse NoVersion: `meta` is no module-level dict",
    );
    check(
        "VERSION = '2.0.0'\nsetup(version=VERSION)\n",
        "2.0.0",
        "2.0.1",
        "VERSION = '2.0.1'\nsetup(version=VERSION)\n",
    );
}

#[test]
fn planner_rules() {
    check("__version__ = '1.2.4'\n", "1.2.3", "1.2.5", "refuse Mismatch: `1.2.4`");
    check("__version__ = '1.0.0'\nVERSION = '1.0.1'\n", "1.0.0", "1.1.0", "refuse Disagree: ");
    check("__version__ = '1.0.0'\n", "1.0.0", "1.1.0-nightly.5", "refuse InvalidNew: ");
}

#[test]
fn refusals() {
    for header in [
        "# file generated by setuptools-scm",
        "# file generated by vcs-versioning",
        "# File generated by setuptools_scm",
    ] {
        let input = format!(
            "{header}\n# don't change, don't track in version control\n__version__ = version = '4.3.7'\n__version_tuple__ = version_tuple = (4, 3, 7)\n"
        );
        check(&input, "4.3.7", "4.3.8", "refuse Generated: line 1");
    }
    check(
        "# Hand-maintained; not generated.\n__version__ = '1.0.0'\n",
        "1.0.0",
        "1.0.1",
        "# Hand-maintained; not generated.\n__version__ = '1.0.1'\n",
    );
    check(
        "def get_keywords():\n    git_refnames = \"$Format:%d$\"\n",
        "1.5.0",
        "1.6.0",
        "refuse FromVcs: `$Format:%d$` (line 2)",
    );
    check(
        "from ._version import get_versions\n__version__ = get_versions()['version']\n",
        "1.0.0",
        "1.1.0",
        "refuse FromVcs: `get_versions` (line 1)",
    );
    check(
        "from setuptools import setup\nsetup(name='x', use_scm_version=True)\n",
        "1.0.0",
        "1.1.0",
        "refuse FromVcs: `use_scm_version`",
    );
    // On its own, a release tuple's meaning is the project's: refused (discovery takes it for
    // the version of the project that reaches the module, `scan_project_module`).
    check(
        "VERSION = (5, 1, 0, \"final\", 0)\n\n__version__ = get_version(VERSION)\n",
        "5.1.0",
        "5.1.1",
        "refuse Computed: a release tuple",
    );
    check(
        "VERSION = (5, 1, 0, \"final\", 0, 9)\n\n__version__ = get_version(VERSION)\n",
        "5.1.0",
        "5.1.1",
        "refuse Computed: a project-specific rule is needed",
    );
    check(
        "__version__ = f\"{MAJOR}.{MINOR}.0\"\n",
        "1.0.0",
        "1.1.0",
        "refuse Computed: an f-string",
    );
    check(
        "__version__ = '1.0' '.0'\n",
        "1.0.0",
        "1.1.0",
        "refuse Computed: implicitly concatenated",
    );
    check("__version__ = b'1.0.0'\n", "1.0.0", "1.1.0", "refuse Computed: a bytes literal");
    check("__version__ = '1.0\\x2e0'\n", "1.0.0", "1.1.0", "refuse Computed: escapes");
    check(
        "__version__ = VERSION\n",
        "1.0.0",
        "1.1.0",
        "refuse Computed: no statement at the top level",
    );
    check(
        "try:\n    from ._version import version as __version__\nexcept ImportError:  # pragma: no cover\n    __version__ = \"0.0.0+unknown\"\n",
        "1.4.0",
        "1.5.0",
        "refuse NoVersion: imported from `._version` (line 2), so that module holds the version; also, `__version__ = \"0.0.0+unknown\"` (line 4) is inside an indented block",
    );
    check("from .about import *\n", "1.0.0", "1.1.0", "refuse NoVersion: `.about` (line 1)");
    check(
        "from mypkg.version import __version__\nsetup(version=__version__)\n",
        "1.0.0",
        "1.1.0",
        "refuse NoVersion: bump `mypkg/version.py`",
    );
    check(
        "from importlib.metadata import version\n__version__ = version('x')\n",
        "1.0.0",
        "1.1.0",
        "refuse NoVersion: installed package's metadata",
    );
    check(
        "import importlib.metadata as md\ntry:\n    __version__ = md.version('x')\nexcept Exception:\n    __version__ = 'unknown'\n",
        "1.0.0",
        "1.1.0",
        "refuse NoVersion: metadata",
    );
    check(
        "__version__ = 'unknown'\n",
        "1.0.0",
        "1.1.0",
        "refuse NoVersion: is `unknown` (line 1), which is not a version",
    );
    check(
        "if sys.platform == 'win32':\n    __version__ = '1.0.0'\n",
        "1.0.0",
        "1.1.0",
        "refuse NoVersion: (line 2) is inside an indented block",
    );
    check(
        "\"\"\"Nothing here.\"\"\"\nimport os\nparser.add_argument('--version', version='1.0.0')\n",
        "1.0.0",
        "1.1.0",
        "refuse NoVersion: no version declaration",
    );
    check(
        "from setuptools import setup\nsetup(\n    name='x',\n)\n",
        "1.0.0",
        "1.1.0",
        "refuse NoVersion: `setup()` (line 2) has no `version=`",
    );
    let requests = "about = {}\nwith open(os.path.join(here, \"reqs\", \"__version__.py\")) as f:\n    exec(f.read(), about)\nsetup(name=about[\"__title__\"], version=about[\"__version__\"])\n";
    check(requests, "2.0.0", "2.1.0", "refuse Computed: probably read from `reqs/__version__.py`");
    check(
        "V = read_version()\nsetup(version=V)\n",
        "1.0.0",
        "1.1.0",
        "refuse Computed: `setup(version=V)` (line 2) uses `V = read_version()` (line 1)",
    );
    check("__version__ = '1.0.0\n", "1.0.0", "1.1.0", "refuse Parse: never closed on its line");
    check("__version__ = (\n", "1.0.0", "1.1.0", "refuse Parse: `(` is never closed");
    check("x = '''\n__version__ = '1.0.0'\n", "1.0.0", "1.1.0", "refuse Parse: never closed");
}

#[test]
fn an_integer_tuple_declaration_cannot_spell_a_pre_release() {
    check("VERSION = (1, 2, 3)\n", "1.2.3", "1.3.0", "VERSION = (1, 3, 0)\n");
    check(
        "VERSION = (1, 2, 3)\n",
        "1.2.3",
        "1.3.0-rc.1",
        "refuse InvalidNew: would drop the pre-release",
    );
    // A tuple that follows a string declaration keeps to the numbers, as such tuples do.
    check(
        "__version__ = \"1.2.3\"\nversion_info = (1, 2, 3)\n",
        "1.2.3",
        "1.3.0-rc.1",
        "__version__ = \"1.3.0rc1\"\nversion_info = (1, 3, 0)\n",
    );
}

#[test]
fn a_number_too_large_is_no_version() {
    check(
        "VERSION = (99999999999999999999999, 0, 0)\n",
        "0.0.0",
        "0.1.0",
        "refuse Mismatch: expected version 0.0.0",
    );
    check(
        "VERSION = (0, 18446744073709551616, 0)\n",
        "0.0.0",
        "0.1.0",
        "refuse Mismatch: expected version 0.0.0",
    );
    check("VERSION = (0, 00, 0)\n", "0.0.0", "0.1.0", "VERSION = (0, 1, 0)\n");
    check(
        "__version__ = '1.2.3'\nversion_info = (1, 2, 99999999999999999999999)\n",
        "1.2.3",
        "1.3.0",
        "__version__ = '1.3.0'\nversion_info = (1, 2, 99999999999999999999999)\n",
    );
}

#[test]
fn whitespace_inside_quotes_is_kept() {
    check("__version__ = ' 1.2.3 '\n", "1.2.3", "1.3.0", "__version__ = ' 1.3.0 '\n");
    check("__version__ = \"1.2.3  \"\n", "1.2.3", "1.3.0", "__version__ = \"1.3.0  \"\n");
}
