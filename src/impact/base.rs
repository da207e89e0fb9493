//! The base rule set of a diff: a directory of rules, or a git revision of the repository
//! that holds the rules directory. A revision is read with git (`git ls-tree`, `git
//! cat-file`) into a temporary directory, never checked out over the user's files.

use crate::diag::Diagnostics;
use crate::workspace::git::{git, git_bytes};
use std::path::{Path, PathBuf};

/// Where the base rules were found, and the files themselves.
#[derive(Debug)]
pub struct BaseRules {
    /// How to name the base to people: the directory, or `REV:path/`.
    pub label: String,
    /// The rules directory to load.
    pub dir: PathBuf,
    /// For a revision: the files read out of git, deleted when this is dropped.
    _temp: Option<tempfile::TempDir>,
    /// For a revision: the rules directory's path inside the repository (`rules/`).
    prefix: Option<String>,
    /// For a revision: the repository's top (where git runs) and the commit read.
    revision: Option<(PathBuf, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    #[error(
        "`{reference}` is not a directory, and {rules} is not in a git repository (git: {message})"
    )]
    NoRepository {
        reference: String,
        rules: String,
        message: String,
    },
    /// Git refuses a repository another user owns (its `safe.directory` check), the usual
    /// setup where admins own the rules and a service user runs tierwise.
    #[error(
        "`{reference}` is not a directory, and git refuses to read the repository of {rules}: another user owns it (git: {message}); to trust it for every user, including a job with no home directory (where git's `--global` does not reach), run `git config --system --add safe.directory <the repository's folder>`, or run tierwise as the repository's owner"
    )]
    NotTrusted {
        reference: String,
        rules: String,
        message: String,
    },
    #[error("`{reference}` is neither a directory nor a revision of the git repository at {repo}")]
    NotARevision { reference: String, repo: String },
    #[error("revision `{reference}` has no rules directory `{path}`")]
    NoRules { reference: String, path: String },
    #[error(
        "in revision `{reference}`, `{link}` is a link to `{target}`, outside the repository: its rules cannot be read out of git; give the base as a directory instead (`--base <folder>`)"
    )]
    LinkOutside {
        reference: String,
        link: String,
        target: String,
    },
    #[error("cannot read the base rules: {0}")]
    Io(String),
}

impl BaseRules {
    /// `reference`: a directory (absolute, or relative to the working directory), else a
    /// git revision of the repository that holds `rules_dir`.
    pub fn find(reference: &str, rules_dir: &Path) -> Result<BaseRules, BaseError> {
        let as_dir = Path::new(reference);
        if as_dir.is_dir() {
            return Ok(BaseRules {
                // Shown as a directory: `base/`, beside the current `rules/`.
                label: format!("{}/", as_dir.display().to_string().trim_end_matches('/')),
                dir: as_dir.to_path_buf(),
                _temp: None,
                prefix: None,
                revision: None,
            });
        }
        if let Some(linked) = Linked::find(rules_dir) {
            return linked.read(reference);
        }
        let git = |args: &[&str]| git(rules_dir, args);
        let top = git(&["rev-parse", "--show-toplevel"]).map_err(|message| {
            let (reference, rules) = (reference.to_owned(), rules_dir.display().to_string());
            match message.contains("dubious ownership") {
                // Its first line says why; the rest is git's `--global` hint.
                true => BaseError::NotTrusted {
                    reference,
                    rules,
                    message: message.lines().next().unwrap_or_default().to_owned(),
                },
                false => BaseError::NoRepository {
                    reference,
                    rules,
                    message,
                },
            }
        })?;
        let commit = commit_of(rules_dir, reference, &top)?;
        let prefix = git(&["rev-parse", "--show-prefix"]).unwrap_or_default();
        read_revision(Path::new(&top), reference, &commit, prefix)
    }

    /// Of `files` (the config, its query file), those in the revision's repository that
    /// differ from the revision's copy, or that it has not, named from the repository's
    /// top: the preview reads the customers as the working config says.
    pub fn config_differs(&self, files: &[&Path]) -> Vec<String> {
        let Some((top, commit)) = &self.revision else {
            return Vec::new();
        };
        let Ok(top) = std::fs::canonicalize(top) else {
            return Vec::new();
        };
        let mut differ = Vec::new();
        for file in files {
            let Ok(real) = std::fs::canonicalize(file) else {
                continue;
            };
            let Ok(inside) = real.strip_prefix(&top) else {
                continue; // not versioned with the rules
            };
            let inside = inside.to_string_lossy().replace('\\', "/");
            let theirs = git_bytes(&top, &["cat-file", "blob", &format!("{commit}:{inside}")]);
            if theirs.ok() != std::fs::read(&real).ok() {
                differ.push(inside);
            }
        }
        differ
    }

    /// The base rules' diagnostics, named as the base: `main~3:rules/tiers.yaml` for a
    /// revision, and every message prefixed `base: `.
    pub fn name_diagnostics(&self, diags: Diagnostics) -> Diagnostics {
        let mut diags = Diagnostics(self.name_files(diags.0));
        for d in &mut diags.0 {
            d.message = format!("base: {}", d.message);
        }
        diags
    }

    /// An evaluation error of these rules, at the revision's file (`HEAD:rules/p.yaml:4:55`),
    /// not at the temporary file it was read into, deleted when the command ends.
    pub fn name_error(&self, mut e: crate::engine::EvalError) -> crate::engine::EvalError {
        if let Some(named) = self.in_revision(Path::new(&e.at)) {
            e.at = named;
        }
        e
    }

    /// Diagnostics of these rules with their files named as the revision's
    /// (`main~3:rules/tiers.yaml`), not as the temporary files they were read into.
    /// The commit read, for a revision (`None`: a directory).
    pub fn commit(&self) -> Option<&str> {
        self.revision.as_ref().map(|(_, commit)| commit.as_str())
    }

    pub fn name_files(
        &self,
        mut diags: Vec<crate::diag::Diagnostic>,
    ) -> Vec<crate::diag::Diagnostic> {
        for d in &mut diags {
            if let Some(named) = self.in_revision(&d.file) {
                d.file = PathBuf::from(named);
            }
        }
        diags
    }

    /// `path` in the temporary directory (a file, or `file:line:column`) as the revision
    /// names it (`main~3:rules/tiers.yaml`); `None` for a base that is a directory, or a
    /// path outside it.
    fn in_revision(&self, path: &Path) -> Option<String> {
        let (prefix, inside) = (self.prefix.as_ref()?, path.strip_prefix(&self.dir).ok()?);
        let reference = self.label.trim_end_matches(prefix.as_str());
        Some(format!("{reference}{prefix}{}", inside.display()))
    }
}

/// The commit `reference` names in the repository of `dir` (`top`, for the message).
fn commit_of(dir: &Path, reference: &str, top: &str) -> Result<String, BaseError> {
    let revision = format!("{reference}^{{commit}}");
    git(dir, &["rev-parse", "--verify", "--quiet", &revision]).map_err(|_| {
        BaseError::NotARevision {
            reference: reference.to_owned(),
            repo: top.to_owned(),
        }
    })
}

/// The rules folder `prefix` (`rules/`, or `""` for the repository's top) of `commit` of the
/// repository at `top`, read out of git into a temporary directory.
fn read_revision(
    top: &Path,
    reference: &str,
    commit: &str,
    prefix: String,
) -> Result<BaseRules, BaseError> {
    let git = |args: &[&str]| git(top, args);
    let temp = tempfile::Builder::new()
        .prefix("tierwise-base-")
        .tempdir()
        .map_err(|e| BaseError::Io(format!("cannot create a temporary directory: {e}")))?;
    let mut args = vec!["ls-tree", "-z", "--full-tree", commit];
    if !prefix.is_empty() {
        args.extend(["--", &prefix]);
    }
    let listing = git(&args).unwrap_or_default();
    let mut found = false;
    for entry in listing.split('\0').filter(|e| !e.is_empty()) {
        // `<mode> <type> <object>\t<path>`
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let fields: Vec<&str> = meta.split(' ').collect();
        found = true;
        if fields.get(1) != Some(&"blob") {
            continue; // rules/tests/ and other subfolders are not rule files
        }
        let name = Path::new(path).file_name().unwrap_or_default();
        let bytes = git_bytes(top, &["cat-file", "blob", fields[2]]).map_err(BaseError::Io)?;
        std::fs::write(temp.path().join(name), bytes)
            .map_err(|e| BaseError::Io(format!("cannot write {}: {e}", path)))?;
    }
    if !found {
        return Err(BaseError::NoRules {
            reference: reference.to_owned(),
            path: if prefix.is_empty() {
                ".".into()
            } else {
                prefix
            },
        });
    }
    Ok(BaseRules {
        label: format!("{reference}:{prefix}"),
        dir: temp.path().to_path_buf(),
        _temp: Some(temp),
        prefix: Some(prefix),
        revision: Some((top.to_path_buf(), commit.to_owned())),
    })
}

/// A rules folder that is a symlink tracked by the repository that holds the link
/// (`rules -> releases/v2`): a revision's rules are what the link pointed to in that
/// revision, found by following links inside the revision's tree.
struct Linked {
    /// The repository's top, where git runs.
    top: PathBuf,
    /// The link's path inside the repository (`rules`).
    link: String,
}

impl Linked {
    /// `None` where `rules_dir` is no symlink, or the folder holding it is in no repository
    /// (a link into a repository of its own is read through, as a folder is).
    fn find(rules_dir: &Path) -> Option<Linked> {
        let is_link = std::fs::symlink_metadata(rules_dir).is_ok_and(|m| m.is_symlink());
        let Ok(absolute) = std::path::absolute(rules_dir) else {
            return None;
        };
        let (Some(parent), Some(name), true) = (absolute.parent(), absolute.file_name(), is_link)
        else {
            return None;
        };
        let Ok(parent) = std::fs::canonicalize(parent) else {
            return None;
        };
        let Ok(top) = git(&parent, &["rev-parse", "--show-toplevel"]) else {
            return None;
        };
        let prefix = git(&parent, &["rev-parse", "--show-prefix"]).unwrap_or_default();
        let link = format!("{prefix}{}", name.to_string_lossy());
        // Only a link the repository tracks is its to resolve.
        let tracked = git(&parent, &["ls-files", "--error-unmatch", "--", &link]).is_ok();
        tracked.then(|| Linked {
            top: PathBuf::from(top),
            link,
        })
    }

    fn read(self, reference: &str) -> Result<BaseRules, BaseError> {
        let commit = commit_of(&self.top, reference, &self.top.display().to_string())?;
        let folder = self.resolve(reference, &commit)?;
        let prefix = match folder.is_empty() {
            true => String::new(), // a link to the repository's top
            false => format!("{folder}/"),
        };
        read_revision(&self.top, reference, &commit, prefix)
    }

    /// The link's path with every link on it followed, in the revision's tree.
    fn resolve(&self, reference: &str, commit: &str) -> Result<String, BaseError> {
        let outside = |target: &str| BaseError::LinkOutside {
            reference: reference.to_owned(),
            link: self.link.clone(),
            target: target.to_owned(),
        };
        let mut parts: Vec<String> = self.link.split('/').map(str::to_owned).collect();
        // Links to links are followed; a loop stops as git's own limit would.
        for _ in 0..40 {
            let mut followed = false;
            for i in 0..parts.len() {
                let path = parts[..=i].join("/");
                let entry =
                    git(&self.top, &["ls-tree", "-z", commit, "--", &path]).unwrap_or_default();
                let Some((meta, _)) = entry.trim_end_matches('\0').split_once('\t') else {
                    return Ok(parts.join("/")); // not there: the listing says so
                };
                let fields: Vec<&str> = meta.split(' ').collect();
                if fields.first() != Some(&"120000") {
                    continue;
                }
                let target =
                    git(&self.top, &["cat-file", "blob", fields[2]]).map_err(BaseError::Io)?;
                if target.starts_with('/') {
                    return Err(outside(&target));
                }
                let mut next: Vec<String> = parts[..i].to_vec();
                for part in target
                    .split('/')
                    .chain(parts[i + 1..].iter().map(|p| p.as_str()))
                {
                    match part {
                        "" | "." => {}
                        ".." => {
                            if next.pop().is_none() {
                                return Err(outside(&target));
                            }
                        }
                        _ => next.push(part.to_owned()),
                    }
                }
                parts = next;
                followed = true;
                break;
            }
            if !followed {
                return Ok(parts.join("/"));
            }
        }
        Err(outside(&parts.join("/")))
    }
}
