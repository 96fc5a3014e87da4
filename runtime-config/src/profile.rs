//! The AWS shared `config` and `credentials` files (`~/.aws/config`,
//! `~/.aws/credentials`), read the way the AWS SDKs and the AWS CLI read them.
//!
//! The format, in short:
//!
//! - Sections: `[default]` and `[profile NAME]` in the config file, `[NAME]` in the
//!   credentials file. Other prefixed sections of the config file, such as
//!   `[services NAME]` or `[sso-session NAME]`, are kept apart from the profiles. A
//!   config-file `[NAME]` other than `[default]`, and a credentials-file
//!   `[profile NAME]`, are not profiles: they are skipped with a [`ProfileWarning`].
//! - `[profile default]` wins over `[default]` in the config file: when both are
//!   there, every `[default]` section of that file is skipped.
//! - Properties are `name = value`. Names are case-insensitive (stored lowercased);
//!   values and profile names are kept as written, trimmed of spaces and tabs.
//! - Comments start with `#` or `;`: a whole line, or the rest of a line when the
//!   sign follows a space or tab (`value#x` keeps its `#`). A section header may be
//!   followed by a comment directly: `[default]# note`.
//! - An indented line continues the property above it. When that property's value
//!   is empty, its indented lines are sub-properties (`name = value`), as in
//!   `[services NAME]` sections.
//! - A section repeated in a file is merged, later properties winning, and a
//!   profile in both files is merged with the credentials file winning.
//! - Names must be made of `A-Z a-z 0-9 - / . % @ _ : +`; sections and properties
//!   with other names are skipped with a warning.
//!
//! Whatever leaves the file unreadable — a property or indented line before any
//! section, a line without `=`, an indented line under a section header, a header
//! without its `]` — is a [`ProfileError`] that names the file and line: a
//! credentials file that is silently half-read sends requests nowhere.

use marketplace_sdk_runtime::error::ConfigError;
use marketplace_sdk_runtime::file::{read_capped, PROFILE_FILE_LIMIT};
use marketplace_sdk_runtime::redact::redact_userinfo;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The only whitespace of the format: other Unicode spaces are part of a value.
const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];
const PROFILE_PREFIX: &str = "profile";
const SERVICES_PREFIX: &str = "services";
const DEFAULT_PROFILE: &str = "default";
const REDACTED: &str = "** redacted **";

/// Which of the two files a section came from: they name sections differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileKind {
    Config,
    Credentials,
}

/// A shared config or credentials file that could not be read or parsed: the
/// path, the line when the problem is on one, and what is wrong.
///
/// The message never quotes a line's value, since the line may hold a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileError {
    path: String,
    line: Option<usize>,
    message: String,
}

impl ProfileError {
    fn at(path: &str, line: usize, message: impl Into<String>) -> Self {
        ProfileError {
            path: path.to_owned(),
            line: Some(line),
            message: message.into(),
        }
    }

    /// The file, as given or as found from the environment.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line the problem is on; `None` when the file could not be read.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {}: {}", self.path, line, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for ProfileError {}

impl From<ProfileError> for ConfigError {
    fn from(error: ProfileError) -> Self {
        ConfigError::new(error.to_string())
    }
}

/// A section or property the format says to skip, and where it is: kept so that
/// "profile not found" can say why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileWarning {
    path: String,
    line: usize,
    message: String,
    /// The name of the skipped section, to match it against a missing profile.
    section: Option<String>,
}

impl ProfileWarning {
    /// The file.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line.
    pub fn line(&self) -> usize {
        self.line
    }

    /// What was skipped, and why.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether this warning is about a skipped section named `name`.
    pub(crate) fn is_about_section(&self, name: &str) -> bool {
        self.section.as_deref() == Some(name)
    }
}

impl fmt::Display for ProfileWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, line {}: {}", self.path, self.line, self.message)
    }
}

/// One `name = value` of a section, with where it was written.
///
/// `Debug` redacts the values of secret-looking names (see [`is_secret_name`]),
/// and the user name and password of a URL in any other value
/// (`endpoint_url = https://***@proxy`).
#[derive(Clone, PartialEq, Eq)]
pub struct Property {
    name: String,
    value: String,
    sub_properties: Option<BTreeMap<String, String>>,
    path: String,
    line: usize,
}

impl Property {
    /// The name, lowercased.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value as the format defines it: the first line's value, then each
    /// continuation line trimmed, joined with `\n`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The indented `name = value` lines under a property whose own value is empty,
    /// names lowercased; `None` when there are none.
    pub fn sub_properties(&self) -> Option<&BTreeMap<String, String>> {
        self.sub_properties.as_ref()
    }

    /// The file the property was read from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line the property starts on.
    pub fn line(&self) -> usize {
        self.line
    }
}

impl fmt::Debug for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = is_secret_name(&self.name);
        let mut debug = f.debug_struct("Property");
        debug.field("name", &self.name);
        match &self.sub_properties {
            // The raw value repeats the sub-properties: show them one by one instead.
            Some(sub_properties) => {
                let shown: BTreeMap<&str, Cow<'_, str>> = sub_properties
                    .iter()
                    .map(|(name, value)| {
                        (name.as_str(), shown(secret || is_secret_name(name), value))
                    })
                    .collect();
                debug.field("sub_properties", &shown);
            }
            None => {
                debug.field("value", &shown(secret, &self.value));
            }
        }
        debug
            .field("path", &self.path)
            .field("line", &self.line)
            .finish()
    }
}

/// A value as `Debug` shows it: [`REDACTED`] when `hide`, else without the user
/// name and password of a URL.
fn shown(hide: bool, value: &str) -> Cow<'_, str> {
    if hide {
        Cow::Borrowed(REDACTED)
    } else {
        redact_userinfo(value)
    }
}

/// Whether a property's value is kept out of `Debug`: names containing `secret`,
/// `token` or `password` (`aws_secret_access_key`, `aws_session_token`). Access
/// key ids stay visible: they are in every signed request anyway.
pub fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    ["secret", "token", "password"]
        .iter()
        .any(|word| name.contains(word))
}

/// A section of the files: a profile, or a prefixed config-file section such as
/// `[services NAME]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Section {
    name: String,
    properties: BTreeMap<String, Property>,
}

/// A profile: a section selected by `AWS_PROFILE`, `[profile NAME]` in the config
/// file or `[NAME]` in the credentials file.
pub type Profile = Section;

impl Section {
    fn new(name: &str) -> Self {
        Section {
            name: name.to_owned(),
            properties: BTreeMap::new(),
        }
    }

    /// The name: `prod` for `[profile prod]`, `local` for `[services local]`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value of property `name` (case-insensitive), as [`Property::value`].
    pub fn get(&self, name: &str) -> Option<&str> {
        self.property(name).map(Property::value)
    }

    /// Property `name` (case-insensitive), with where it was written.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.get(&name.to_ascii_lowercase())
    }

    /// The sub-properties of property `name` (case-insensitive), as
    /// [`Property::sub_properties`].
    pub fn sub_properties(&self, name: &str) -> Option<&BTreeMap<String, String>> {
        self.property(name).and_then(Property::sub_properties)
    }

    /// Every property, by name.
    pub fn properties(&self) -> impl Iterator<Item = &Property> {
        self.properties.values()
    }

    /// Whether the section has no properties.
    pub fn is_empty(&self) -> bool {
        self.properties.is_empty()
    }
}

impl fmt::Debug for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Section")
            .field("name", &self.name)
            .field("properties", &self.properties)
            .finish()
    }
}

/// A file the set was read from, for messages about what is missing.
#[derive(Clone, Debug, PartialEq, Eq)]
struct SourceFile {
    path: String,
    found: bool,
}

/// The profiles and other sections of the shared config and credentials files,
/// merged.
///
/// `Debug` never shows secret values: see [`Property`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Profile>,
    /// Prefixed config-file sections other than profiles, by (prefix, name).
    sections: BTreeMap<(String, String), Section>,
    warnings: Vec<ProfileWarning>,
    config_file: Option<SourceFile>,
    credentials_file: Option<SourceFile>,
}

impl ProfileSet {
    /// Parses a config file and a credentials file, each given as (path for
    /// messages, contents). The credentials file's values win where both set one.
    pub fn parse(
        config: Option<(&str, &str)>,
        credentials: Option<(&str, &str)>,
    ) -> Result<ProfileSet, ProfileError> {
        let mut set = ProfileSet::default();
        if let Some((path, contents)) = config {
            set.config_file = Some(SourceFile {
                path: path.to_owned(),
                found: true,
            });
            set.merge_file(FileKind::Config, path, contents)?;
        }
        if let Some((path, contents)) = credentials {
            set.credentials_file = Some(SourceFile {
                path: path.to_owned(),
                found: true,
            });
            set.merge_file(FileKind::Credentials, path, contents)?;
        }
        Ok(set)
    }

    /// Reads the files the environment names, through `env`: `AWS_CONFIG_FILE`
    /// (default `~/.aws/config`) and `AWS_SHARED_CREDENTIALS_FILE` (default
    /// `~/.aws/credentials`), `~` being `HOME` (on Windows `HOME`, `USERPROFILE`,
    /// then `HOMEDRIVE` + `HOMEPATH`).
    ///
    /// A file that does not exist is empty, as for every AWS SDK; one that exists
    /// but cannot be read, or is not UTF-8, is an error naming its path.
    pub fn load(env: &dyn Fn(&str) -> Option<String>) -> Result<ProfileSet, ProfileError> {
        Self::load_for_platform(env, cfg!(windows))
    }

    fn load_for_platform(
        env: &dyn Fn(&str) -> Option<String>,
        windows: bool,
    ) -> Result<ProfileSet, ProfileError> {
        let home = home_dir(env, windows);
        let config = file_path(env, "AWS_CONFIG_FILE", home.as_deref(), "config");
        let credentials = file_path(
            env,
            "AWS_SHARED_CREDENTIALS_FILE",
            home.as_deref(),
            "credentials",
        );
        let mut set = ProfileSet::default();
        for (kind, variable, path) in [
            (FileKind::Config, "AWS_CONFIG_FILE", config),
            (
                FileKind::Credentials,
                "AWS_SHARED_CREDENTIALS_FILE",
                credentials,
            ),
        ] {
            // No home and no variable: there is no file to look for.
            let Some(path) = path else { continue };
            let shown = path.display().to_string();
            let contents = read_file(&path, &shown, &file_origin(env, variable))?;
            let source = SourceFile {
                path: shown.clone(),
                found: contents.is_some(),
            };
            match kind {
                FileKind::Config => set.config_file = Some(source),
                FileKind::Credentials => set.credentials_file = Some(source),
            }
            if let Some(contents) = contents {
                set.merge_file(kind, &shown, &contents)?;
            }
        }
        Ok(set)
    }

    /// The profile called `name` (case-sensitive), from either file.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// The names of every profile, sorted.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// The `[services NAME]` section of the config file, which a profile selects
    /// with `services = NAME`.
    pub fn services(&self, name: &str) -> Option<&Section> {
        self.section(SERVICES_PREFIX, name)
    }

    /// Any prefixed config-file section other than a profile, such as
    /// `[sso-session NAME]`: `section("sso-session", NAME)`.
    pub fn section(&self, prefix: &str, name: &str) -> Option<&Section> {
        self.sections.get(&(prefix.to_owned(), name.to_owned()))
    }

    /// What was skipped as the format says: sections that are not profiles in
    /// their file, invalid names.
    pub fn warnings(&self) -> &[ProfileWarning] {
        &self.warnings
    }

    /// The config file's path, when one was read or looked for.
    pub fn config_path(&self) -> Option<&str> {
        self.config_file.as_ref().map(|file| file.path.as_str())
    }

    /// The credentials file's path, when one was read or looked for.
    pub fn credentials_path(&self) -> Option<&str> {
        self.credentials_file
            .as_ref()
            .map(|file| file.path.as_str())
    }

    /// Where profiles were looked for, for messages: `PATH`, or `PATH (not found)`.
    pub(crate) fn describe_files(&self) -> String {
        let files: Vec<String> = [&self.config_file, &self.credentials_file]
            .into_iter()
            .flatten()
            .map(|file| {
                if file.found {
                    file.path.clone()
                } else {
                    format!("{} (not found)", file.path)
                }
            })
            .collect();
        match files.len() {
            0 => "no config or credentials file (neither AWS_CONFIG_FILE nor HOME is set)".into(),
            _ => files.join(" or "),
        }
    }

    /// Parses one file and merges its sections in, its properties winning.
    fn merge_file(
        &mut self,
        kind: FileKind,
        path: &str,
        contents: &str,
    ) -> Result<(), ProfileError> {
        let sections = parse_file(path, contents)?;
        // `[profile default]` anywhere in the config file hides every `[default]`.
        let prefixed_default = kind == FileKind::Config
            && sections.iter().any(|section| {
                section.prefix.as_deref() == Some(PROFILE_PREFIX) && section.name == DEFAULT_PROFILE
            });
        for section in sections {
            let warn = |message: String| ProfileWarning {
                path: path.to_owned(),
                line: section.line,
                message,
                section: Some(section.name.clone()),
            };
            let header = section.header();
            let target = match (kind, section.prefix.as_deref()) {
                (FileKind::Config, Some(PROFILE_PREFIX)) => Target::Profile,
                (FileKind::Config, None) if section.name == DEFAULT_PROFILE => {
                    if prefixed_default {
                        self.warnings.push(warn(format!(
                            "{header} skipped: [profile default] in the same file takes precedence"
                        )));
                        continue;
                    }
                    Target::Profile
                }
                (FileKind::Config, None) => {
                    self.warnings.push(warn(format!(
                        "{header} skipped: in the config file a profile is written \
                         [profile {}] (only [default] goes without `profile`)",
                        section.name
                    )));
                    continue;
                }
                (FileKind::Config, Some(prefix)) => Target::Other(prefix.to_owned()),
                (FileKind::Credentials, None) => Target::Profile,
                (FileKind::Credentials, Some(PROFILE_PREFIX)) => {
                    self.warnings.push(warn(format!(
                        "{header} skipped: in the credentials file a profile is written [{}], \
                         without `profile`",
                        section.name
                    )));
                    continue;
                }
                (FileKind::Credentials, Some(_)) => {
                    self.warnings.push(warn(format!(
                        "{header} skipped: only the config file has sections other than profiles"
                    )));
                    continue;
                }
            };
            if !is_identifier(&section.name) {
                self.warnings.push(warn(format!(
                    "{header} skipped: a name is made of letters, digits and - / . % @ _ : +"
                )));
                continue;
            }
            let merged = match target {
                Target::Profile => self
                    .profiles
                    .entry(section.name.clone())
                    .or_insert_with(|| Section::new(&section.name)),
                Target::Other(prefix) => self
                    .sections
                    .entry((prefix, section.name.clone()))
                    .or_insert_with(|| Section::new(&section.name)),
            };
            for property in section.properties {
                if is_identifier(&property.name) {
                    merged.properties.insert(property.name.clone(), property);
                } else {
                    self.warnings.push(ProfileWarning {
                        path: path.to_owned(),
                        line: property.line,
                        message: format!(
                            "property `{}` in {header} skipped: a name is made of letters, \
                             digits and - / . % @ _ : +",
                            property.name
                        ),
                        section: None,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Where a parsed section goes.
enum Target {
    Profile,
    Other(String),
}

/// A section as written, before the file's naming rules apply.
struct RawSection {
    prefix: Option<String>,
    name: String,
    line: usize,
    properties: Vec<Property>,
}

impl RawSection {
    /// The header as written (normalized), for messages.
    fn header(&self) -> String {
        match &self.prefix {
            Some(prefix) => format!("[{prefix} {}]", self.name),
            None => format!("[{}]", self.name),
        }
    }
}

/// Splits a file into sections and properties, in file order.
fn parse_file(path: &str, contents: &str) -> Result<Vec<RawSection>, ProfileError> {
    let mut sections: Vec<RawSection> = Vec::new();
    // Whether an indented line may continue the last property, and whether it is
    // a sub-property line (the property's own value was empty).
    let mut continuing: Option<bool> = None;
    // Editors on Windows may start the file with a byte order mark.
    let contents = contents.strip_prefix('\u{feff}').unwrap_or(contents);
    for (index, line) in contents.lines().enumerate() {
        let number = index + 1;
        let trimmed = line.trim_matches(WHITESPACE);
        // Indented comment lines are comments too, as for the AWS CLI.
        if trimmed.is_empty() || trimmed.starts_with(COMMENT) {
            continue;
        }
        if line.starts_with(WHITESPACE) {
            let Some(section) = sections.last_mut() else {
                return Err(ProfileError::at(
                    path,
                    number,
                    "indented line before any section header: the file must start with a \
                     header such as [default] or [profile NAME]",
                ));
            };
            let (Some(sub_property), Some(property)) = (continuing, section.properties.last_mut())
            else {
                return Err(ProfileError::at(
                    path,
                    number,
                    format!(
                        "indented line right under the section header {}: an indented line \
                         continues the property above it (remove the indentation if this is \
                         a property or a header)",
                        section.header()
                    ),
                ));
            };
            if sub_property {
                let (name, value) = split_property(trimmed).map_err(|problem| {
                    ProfileError::at(
                        path,
                        number,
                        format!(
                            "{problem} in the sub-properties of `{}`: they are indented \
                             `name = value` lines",
                            property.name
                        ),
                    )
                })?;
                property
                    .sub_properties
                    .get_or_insert_with(BTreeMap::new)
                    .insert(name, value.to_owned());
            }
            property.value.push('\n');
            property.value.push_str(trimmed);
        } else if line.starts_with('[') {
            sections.push(parse_header(path, number, trimmed)?);
            continuing = None;
        } else {
            let Some(section) = sections.last_mut() else {
                return Err(ProfileError::at(
                    path,
                    number,
                    "property before any section header: the file must start with a header \
                     such as [default] or [profile NAME]",
                ));
            };
            let (name, value) = split_property(trimmed).map_err(|problem| {
                ProfileError::at(
                    path,
                    number,
                    format!("{problem}: a property is a `name = value` line"),
                )
            })?;
            continuing = Some(value.is_empty());
            section.properties.push(Property {
                name,
                value: value.to_owned(),
                sub_properties: None,
                path: path.to_owned(),
                line: number,
            });
        }
    }
    Ok(sections)
}

/// Parses `[name]` or `[prefix name]`, which may be followed by a comment.
fn parse_header(path: &str, number: usize, line: &str) -> Result<RawSection, ProfileError> {
    // A header cannot contain `#` or `;`, so a comment may touch the `]`.
    let line = line
        .split(COMMENT)
        .next()
        .unwrap_or_default()
        .trim_matches(WHITESPACE);
    let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
        return Err(ProfileError::at(
            path,
            number,
            format!("section header `{line}` does not end with `]`"),
        ));
    };
    let inner = inner.trim_matches(WHITESPACE);
    if inner.is_empty() {
        return Err(ProfileError::at(
            path,
            number,
            "section header `[]` has no name",
        ));
    }
    let (prefix, name) = match inner.split_once(WHITESPACE) {
        Some((prefix, name)) => (Some(prefix.to_owned()), name.trim_matches(WHITESPACE)),
        None => (None, inner),
    };
    Ok(RawSection {
        prefix,
        name: name.to_owned(),
        line: number,
        properties: Vec::new(),
    })
}

/// Splits a (trimmed) `name = value` line, dropping a trailing comment; the name
/// is lowercased. The error says what is missing, never what the line holds.
fn split_property(line: &str) -> Result<(String, &str), &'static str> {
    let line = strip_inline_comment(line);
    let (name, value) = line.split_once('=').ok_or("the line has no `=`")?;
    let name = name.trim_matches(WHITESPACE);
    if name.is_empty() {
        return Err("nothing before `=`");
    }
    Ok((name.to_ascii_lowercase(), value.trim_matches(WHITESPACE)))
}

/// Cuts a `#` or `;` comment that follows a space or tab: values such as URLs and
/// base64 keep signs written without one.
fn strip_inline_comment(line: &str) -> &str {
    let mut previous_was_space = false;
    for (index, c) in line.char_indices() {
        if previous_was_space && COMMENT.contains(&c) {
            return line[..index].trim_matches(WHITESPACE);
        }
        previous_was_space = WHITESPACE.contains(&c);
    }
    line
}

/// `[A-Za-z0-9_\-/.%@:+]+`, the names the format allows.
fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// The home directory, as the AWS SDKs find it.
fn home_dir(env: &dyn Fn(&str) -> Option<String>, windows: bool) -> Option<String> {
    let var = |name: &str| env(name).filter(|value| !value.is_empty());
    if !windows {
        return var("HOME");
    }
    var("HOME").or_else(|| var("USERPROFILE")).or_else(|| {
        let drive = var("HOMEDRIVE")?;
        let path = var("HOMEPATH")?;
        Some(format!("{drive}{path}"))
    })
}

/// The file `variable` names (with `~` expanded), else `~/.aws/<default_name>`.
fn file_path(
    env: &dyn Fn(&str) -> Option<String>,
    variable: &str,
    home: Option<&str>,
    default_name: &str,
) -> Option<PathBuf> {
    match env(variable).filter(|value| !value.trim().is_empty()) {
        Some(path) => Some(expand_home(&path, home)),
        None => home.map(|home| Path::new(home).join(".aws").join(default_name)),
    }
}

/// Where the path of a file came from, for messages: `variable`, or the
/// default when it is unset.
fn file_origin(env: &dyn Fn(&str) -> Option<String>, variable: &str) -> String {
    if env(variable).is_some_and(|value| !value.trim().is_empty()) {
        format!("named by {variable}")
    } else {
        format!("the default path, as {variable} is unset")
    }
}

/// `~` and `~/rest` (or `~\rest`) relative to the home directory, when known.
fn expand_home(path: &str, home: Option<&str>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(""), Some(home)) => PathBuf::from(home),
        (Some(rest), Some(home)) if rest.starts_with(['/', '\\']) => {
            Path::new(home).join(&rest[1..])
        }
        _ => PathBuf::from(path),
    }
}

/// The file's text; `None` when it does not exist. An error says what is wrong
/// and, after it, `origin`: where the path came from.
fn read_file(path: &Path, shown: &str, origin: &str) -> Result<Option<String>, ProfileError> {
    let error = |problem: &dyn fmt::Display| ProfileError {
        path: shown.to_owned(),
        line: None,
        message: format!("{problem} ({origin})"),
    };
    match read_capped(path, PROFILE_FILE_LIMIT) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| error(&"is not UTF-8 text")),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(error(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temp_dir::TempDir;

    fn config(contents: &str) -> Result<ProfileSet, ProfileError> {
        ProfileSet::parse(Some(("/c", contents)), None)
    }

    fn credentials(contents: &str) -> Result<ProfileSet, ProfileError> {
        ProfileSet::parse(None, Some(("/k", contents)))
    }

    /// Every profile as name → (key → value), to compare with the spec's tables.
    fn flat(set: &ProfileSet) -> BTreeMap<String, BTreeMap<String, String>> {
        set.profiles
            .iter()
            .map(|(name, profile)| {
                let properties = profile
                    .properties()
                    .map(|p| (p.name().to_owned(), p.value().to_owned()))
                    .collect();
                (name.clone(), properties)
            })
            .collect()
    }

    fn expect(set: &ProfileSet, profiles: &[(&str, &[(&str, &str)])]) {
        let expected: BTreeMap<String, BTreeMap<String, String>> = profiles
            .iter()
            .map(|(name, properties)| {
                let properties = properties
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                (name.to_string(), properties)
            })
            .collect();
        assert_eq!(flat(set), expected);
    }

    fn error(result: Result<ProfileSet, ProfileError>) -> String {
        result.expect_err("parsing should fail").to_string()
    }

    #[test]
    fn sections_and_properties() {
        expect(&config("").unwrap(), &[]);
        expect(&config("[profile foo]").unwrap(), &[("foo", &[])]);
        expect(
            &config("[profile foo]\nname = value\n[profile bar]\nname2 = value2").unwrap(),
            &[
                ("foo", &[("name", "value")]),
                ("bar", &[("name2", "value2")]),
            ],
        );
        // Names are trimmed; tabs separate the prefix too.
        expect(
            &config("[profile \tfoo \t]\n[profile\tbar]\n[   profile baz    ]").unwrap(),
            &[("foo", &[]), ("bar", &[]), ("baz", &[])],
        );
        // Windows line endings, `=` and Unicode in values, empty values.
        expect(
            &config("[profile foo]\r\nname = val=ue\r\nemoji = 😂\r\nempty =").unwrap(),
            &[("foo", &[("name", "val=ue"), ("emoji", "😂"), ("empty", "")])],
        );
        expect(
            &config("[profile foo]\nname \t=  \tvalue \t").unwrap(),
            &[("foo", &[("name", "value")])],
        );
        expect(
            &config("\t \n[profile foo]\n\t\n \nname = value\n\t \n[profile bar]\n \t").unwrap(),
            &[("foo", &[("name", "value")]), ("bar", &[])],
        );
        // A byte order mark does not hide the first header.
        expect(
            &config("\u{feff}[default]\nregion = eu-west-1").unwrap(),
            &[("default", &[("region", "eu-west-1")])],
        );
    }

    #[test]
    fn names_are_case_insensitive_but_profile_names_are_not() {
        let set = config("[profile Foo]\nRegion = Eu-West-1\n[profile foo]\nname = v").unwrap();
        let upper = set.profile("Foo").unwrap();
        assert_eq!(upper.get("region"), Some("Eu-West-1"));
        assert_eq!(upper.get("REGION"), Some("Eu-West-1"));
        assert_eq!(upper.property("region").unwrap().name(), "region");
        assert_eq!(set.profile("foo").unwrap().get("name"), Some("v"));
        assert!(set.profile("FOO").is_none());
        expect(
            &config("[profile foo]\nName = value\n[profile foo]\nname = value2").unwrap(),
            &[("foo", &[("name", "value2")])],
        );
    }

    #[test]
    fn comments() {
        let expected: &[(&str, &[(&str, &str)])] = &[("foo", &[("name", "value")])];
        expect(
            &config("# Comment\n[profile foo] # Comment\nname = value # Comment with # sign")
                .unwrap(),
            expected,
        );
        expect(
            &config("; Comment\n[profile foo] ; Comment\nname = value ; Comment with ; sign")
                .unwrap(),
            expected,
        );
        expect(
            &config(";\n[profile foo];\nname = value ;\n").unwrap(),
            expected,
        );
        // Comments may touch a header, but not a value.
        expect(
            &config("[profile foo]; semicolon\n[profile bar]# pound").unwrap(),
            &[("foo", &[]), ("bar", &[])],
        );
        expect(
            &config(
                "[profile foo]\nname = value; Adjacent\nname2 = value# Adjacent\nurl = http://h/#x",
            )
            .unwrap(),
            &[(
                "foo",
                &[
                    ("name", "value; Adjacent"),
                    ("name2", "value# Adjacent"),
                    ("url", "http://h/#x"),
                ],
            )],
        );
        // An indented comment line is a comment, even amid a continuation.
        expect(
            &config("[profile foo]\nname = value\n  # note\n -continued").unwrap(),
            &[("foo", &[("name", "value\n-continued")])],
        );
    }

    #[test]
    fn continuations() {
        expect(
            &config("[profile foo]\nname = value\n -continued\n \t -and-continued \t ").unwrap(),
            &[("foo", &[("name", "value\n-continued\n-and-continued")])],
        );
        // Continuations keep their comments, as the spec says.
        expect(
            &config("[profile foo]\nname = value\n -continued # Comment\n -more ; c").unwrap(),
            &[("foo", &[("name", "value\n-continued # Comment\n-more ; c")])],
        );
        let set = config("[profile foo]\nname = value\n -continued").unwrap();
        assert_eq!(set.profile("foo").unwrap().sub_properties("name"), None);
    }

    #[test]
    fn sub_properties() {
        let set = config(
            "[profile foo]\ns3 =\n name = value\n\t \n  Name2 = value2 # comment\n empty =\nplain = x",
        )
        .unwrap();
        let foo = set.profile("foo").unwrap();
        assert_eq!(
            foo.get("s3"),
            Some("\nname = value\nName2 = value2 # comment\nempty =")
        );
        let subs = foo.sub_properties("S3").unwrap();
        assert_eq!(subs.get("name").map(String::as_str), Some("value"));
        assert_eq!(subs.get("name2").map(String::as_str), Some("value2"));
        assert_eq!(subs.get("empty").map(String::as_str), Some(""));
        assert_eq!(foo.get("plain"), Some("x"));
        // An empty value with nothing under it has no sub-properties.
        let set = config("[profile foo]\ns3 =\nregion = r").unwrap();
        assert_eq!(set.profile("foo").unwrap().sub_properties("s3"), None);

        assert_eq!(
            error(config("[profile foo]\ns3 =\n invalid")),
            "/c, line 3: the line has no `=` in the sub-properties of `s3`: they are indented \
             `name = value` lines"
        );
        assert!(error(config("[profile foo]\ns3 =\n = value"))
            .starts_with("/c, line 3: nothing before `=` in the sub-properties of `s3`"));
    }

    #[test]
    fn services_sections() {
        let set = config(
            "[profile dev]\nservices = local\n\
             [services local]\nmarketplace_metering =\n  endpoint_url = http://127.0.0.1:9\n\
             [services local]\ns3 =\n  endpoint_url = http://s3",
        )
        .unwrap();
        assert_eq!(set.profile("dev").unwrap().get("services"), Some("local"));
        let local = set.services("local").unwrap();
        assert_eq!(local.name(), "local");
        assert_eq!(
            local
                .sub_properties("marketplace_metering")
                .unwrap()
                .get("endpoint_url")
                .map(String::as_str),
            Some("http://127.0.0.1:9")
        );
        assert!(local.sub_properties("s3").is_some(), "duplicates merge");
        assert!(set.profile("local").is_none());
        assert!(set.services("dev").is_none());
        // Other prefixes are kept apart too.
        let set = config("[sso-session my-sso]\nsso_region = us-east-1").unwrap();
        assert_eq!(
            set.section("sso-session", "my-sso")
                .unwrap()
                .get("sso_region"),
            Some("us-east-1")
        );
        assert_eq!(set.profile_names().count(), 0);
        // The credentials file holds profiles only.
        let set = credentials("[services local]\ns3 =\n  endpoint_url = x").unwrap();
        assert!(set.services("local").is_none());
        assert!(set.warnings()[0]
            .message()
            .contains("only the config file has sections other than profiles"));
    }

    #[test]
    fn default_profile_precedence() {
        for file in [
            "[profile default]\nname = value\n[default]\nname2 = value2",
            "[default]\nname2 = value2\n[profile default]\nname = value",
        ] {
            let set = config(file).unwrap();
            expect(&set, &[("default", &[("name", "value")])]);
            assert!(set.warnings()[0].to_string().contains(
                "[default] skipped: [profile default] in the same file takes precedence"
            ));
        }
        expect(
            &ProfileSet::parse(
                Some((
                    "/c",
                    "[profile default]\nname = value\n[default]\nname2 = value2\n\
                     [profile default]\nname3 = value3",
                )),
                Some(("/k", "[default]\nsecret=foo")),
            )
            .unwrap(),
            &[(
                "default",
                &[("name", "value"), ("name3", "value3"), ("secret", "foo")],
            )],
        );
    }

    #[test]
    fn file_specific_section_names() {
        // `[name]` in the config file and `[profile name]` in the credentials file
        // are not profiles.
        let set = config("[foo]\nname = value\n[profilefoo]\nx = 1\n[profile bar]").unwrap();
        expect(&set, &[("bar", &[])]);
        assert_eq!(
            set.warnings()[0].to_string(),
            "/c, line 1: [foo] skipped: in the config file a profile is written [profile foo] \
             (only [default] goes without `profile`)"
        );
        assert!(set.warnings()[0].is_about_section("foo"));
        let set = credentials("[profile foo]\nname = value\n[   bar    ]\nname = v").unwrap();
        expect(&set, &[("bar", &[("name", "v")])]);
        assert_eq!(
            set.warnings()[0].to_string(),
            "/k, line 1: [profile foo] skipped: in the credentials file a profile is written \
             [foo], without `profile`"
        );
    }

    #[test]
    fn invalid_names_are_skipped() {
        let set = ProfileSet::parse(
            Some((
                "/c",
                "[profile foo]\nname = value\nin valid = x\n[profile in valid]\nx = 1\n\
                 [profile foo!bar]\n[profile bar]\nname = value2\n\
                 [profile some-thing:long/the_one%only.foo@bar+]",
            )),
            Some(("/k", "[in valid 2]\nname2 = value2")),
        )
        .unwrap();
        expect(
            &set,
            &[
                ("foo", &[("name", "value")]),
                ("bar", &[("name", "value2")]),
                ("some-thing:long/the_one%only.foo@bar+", &[]),
            ],
        );
        let messages: Vec<String> = set.warnings().iter().map(|w| w.to_string()).collect();
        assert!(messages.contains(
            &"/c, line 3: property `in valid` in [profile foo] skipped: a name is made of \
              letters, digits and - / . % @ _ : +"
                .to_owned()
        ));
        assert_eq!(messages.len(), 4, "{messages:?}");
    }

    #[test]
    fn duplicates_merge_and_later_values_win() {
        expect(
            &config("[profile foo]\nname = value\n[profile foo]\nname2 = value2\nname = last")
                .unwrap(),
            &[("foo", &[("name", "last"), ("name2", "value2")])],
        );
        expect(
            &config("[profile foo]\nname = value\nname = value2").unwrap(),
            &[("foo", &[("name", "value2")])],
        );
    }

    #[test]
    fn credentials_file_values_win() {
        let set = ProfileSet::parse(
            Some((
                "/c",
                "[profile foo]\nname = value\nregion = r\n[default]\nregion = d",
            )),
            Some(("/k", "[foo]\nname = value2\nname3 = v3")),
        )
        .unwrap();
        expect(
            &set,
            &[
                ("default", &[("region", "d")]),
                (
                    "foo",
                    &[("name", "value2"), ("region", "r"), ("name3", "v3")],
                ),
            ],
        );
        let name = set.profile("foo").unwrap().property("name").unwrap();
        assert_eq!((name.path(), name.line()), ("/k", 2));
        let region = set.profile("foo").unwrap().property("region").unwrap();
        assert_eq!((region.path(), region.line()), ("/c", 3));
    }

    #[test]
    fn malformed_files_name_file_and_line() {
        let cases = [
            (
                "name = value",
                "/c, line 1: property before any section header: the file must start with a \
                 header such as [default] or [profile NAME]",
            ),
            (
                "# intro\n\n -continued",
                "/c, line 3: indented line before any section header: the file must start \
                 with a header such as [default] or [profile NAME]",
            ),
            (
                "[profile foo\nk=v",
                "/c, line 1: section header `[profile foo` does not end with `]`",
            ),
            (
                "[default]\n[profile foo] trailing",
                "/c, line 2: section header `[profile foo] trailing` does not end with `]`",
            ),
            (
                "[default]\n[ ]",
                "/c, line 2: section header `[]` has no name",
            ),
            (
                "[profile foo]\nkey : value",
                "/c, line 2: the line has no `=`: a property is a `name = value` line",
            ),
            (
                "[profile foo]\n= value",
                "/c, line 2: nothing before `=`: a property is a `name = value` line",
            ),
            (
                "[profile foo]\n -continued",
                "/c, line 2: indented line right under the section header [profile foo]: an \
                 indented line continues the property above it (remove the indentation if \
                 this is a property or a header)",
            ),
            (
                "[profile foo]\nname = value\n[profile foo]\n -continued",
                "/c, line 4: indented line right under the section header [profile foo]: an \
                 indented line continues the property above it (remove the indentation if \
                 this is a property or a header)",
            ),
        ];
        for (contents, message) in cases {
            assert_eq!(error(config(contents)), message, "{contents:?}");
        }
        // The same checks apply to the credentials file, and to ignored sections.
        assert_eq!(
            error(credentials(
                "[default]\naws_access_key_id = AKID\naws_secret_access_key"
            )),
            "/k, line 3: the line has no `=`: a property is a `name = value` line"
        );
        assert!(error(config("[ignored]\nno equals")).starts_with("/c, line 2:"));
        let error = config("x").unwrap_err();
        assert_eq!((error.path(), error.line()), ("/c", Some(1)));
    }

    #[test]
    fn errors_never_quote_values() {
        let text = error(credentials(
            "[default]\naws_secret_access_key wJalrXUtnFEMI",
        ));
        assert!(!text.contains("wJalr"), "{text}");
    }

    #[test]
    fn debug_redacts_secrets() {
        let set = ProfileSet::parse(
            Some((
                "/c",
                "[profile p]\nregion = eu-west-1\naws_session_token = TOKENVALUE\n\
                 endpoint_url = https://user:URLPASSWORD@proxy/a\n\
                 s3 =\n  client_secret = SUBSECRET\n  endpoint_url = http://visible\n\
                 sts =\n  endpoint_url = http://u:SUBURLPASSWORD@sts\n\
                 [services s]\nsecret_service =\n  endpoint_url = HIDDENURL",
            )),
            Some((
                "/k",
                "[p]\naws_access_key_id = AKIDVISIBLE\naws_secret_access_key = SECRETVALUE\n\
                 db_password = PASSWORDVALUE",
            )),
        )
        .unwrap();
        let text = format!("{set:?}");
        for hidden in [
            "TOKENVALUE",
            "SECRETVALUE",
            "PASSWORDVALUE",
            "SUBSECRET",
            "HIDDENURL",
            "URLPASSWORD",
        ] {
            assert!(!text.contains(hidden), "{hidden} shown in {text}");
        }
        for shown in [
            "AKIDVISIBLE",
            "eu-west-1",
            "http://visible",
            "https://***@proxy/a",
            "http://***@sts",
        ] {
            assert!(text.contains(shown), "{shown} hidden in {text}");
        }
        let pretty = format!("{:#?}", set.profile("p").unwrap());
        assert!(!pretty.contains("SECRETVALUE"), "{pretty}");
    }

    #[test]
    fn load_reads_the_files_the_environment_names() {
        let dir = TempDir::new();
        let config = dir.write("cfg", "[profile a]\nregion = r1");
        let creds = dir.write("creds", "[a]\naws_access_key_id = K");
        let env = |name: &str| match name {
            "AWS_CONFIG_FILE" => Some(config.clone()),
            "AWS_SHARED_CREDENTIALS_FILE" => Some(creds.clone()),
            _ => None,
        };
        let set = ProfileSet::load(&env).unwrap();
        let a = set.profile("a").unwrap();
        assert_eq!(
            (a.get("region"), a.get("aws_access_key_id")),
            (Some("r1"), Some("K"))
        );
        assert_eq!(set.config_path(), Some(config.as_str()));
        assert_eq!(set.credentials_path(), Some(creds.as_str()));
    }

    #[test]
    fn load_defaults_to_the_home_directory() {
        let dir = TempDir::new();
        dir.write(".aws/config", "[default]\nregion = from-home");
        let home = dir.0.display().to_string();
        let unix = |name: &str| (name == "HOME").then(|| home.clone());
        let set = ProfileSet::load_for_platform(&unix, false).unwrap();
        assert_eq!(
            set.profile("default").unwrap().get("region"),
            Some("from-home")
        );
        assert!(set.describe_files().ends_with("credentials (not found)"));
        // `~` in the variables is the home directory.
        let tilde = |name: &str| match name {
            "HOME" => Some(home.clone()),
            "AWS_CONFIG_FILE" => Some("~/.aws/config".to_owned()),
            _ => None,
        };
        let set = ProfileSet::load_for_platform(&tilde, false).unwrap();
        assert!(set.profile("default").is_some());
        // Windows falls back to USERPROFILE, then HOMEDRIVE + HOMEPATH.
        let windows = |name: &str| (name == "USERPROFILE").then(|| home.clone());
        let set = ProfileSet::load_for_platform(&windows, true).unwrap();
        assert!(set.profile("default").is_some());
        assert!(ProfileSet::load_for_platform(&windows, false)
            .unwrap()
            .profile("default")
            .is_none());
        let drive = |name: &str| match name {
            "HOMEDRIVE" => Some("C:".to_owned()),
            "HOMEPATH" => Some("\\Users\\me".to_owned()),
            _ => None,
        };
        assert_eq!(home_dir(&drive, true).as_deref(), Some("C:\\Users\\me"));
    }

    #[test]
    fn missing_files_are_empty_but_unreadable_ones_are_errors() {
        let dir = TempDir::new();
        let missing = dir.0.join("nope").display().to_string();
        let env = |name: &str| (name == "AWS_CONFIG_FILE").then(|| missing.clone());
        let set = ProfileSet::load(&env).unwrap();
        assert_eq!(set.profile_names().count(), 0);
        assert_eq!(set.describe_files(), format!("{missing} (not found)"));
        assert_eq!(
            ProfileSet::load(&|_| None).unwrap().describe_files(),
            "no config or credentials file (neither AWS_CONFIG_FILE nor HOME is set)"
        );

        // A directory exists but cannot be read as a file.
        let directory = dir.0.display().to_string();
        let env = |name: &str| (name == "AWS_SHARED_CREDENTIALS_FILE").then(|| directory.clone());
        let error = ProfileSet::load(&env).unwrap_err();
        assert_eq!((error.path(), error.line()), (directory.as_str(), None));
        assert!(error.to_string().contains("cannot be read"), "{error}");

        let binary = dir.0.join("binary");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        let binary = binary.display().to_string();
        let env = |name: &str| (name == "AWS_CONFIG_FILE").then(|| binary.clone());
        assert_eq!(
            ProfileSet::load(&env).unwrap_err().to_string(),
            format!("{binary}: is not UTF-8 text (named by AWS_CONFIG_FILE)")
        );

        // A parse error names the file it is in.
        let broken = dir.write("broken", "[default]\nregion");
        let env = |name: &str| (name == "AWS_CONFIG_FILE").then(|| broken.clone());
        assert!(ProfileSet::load(&env)
            .unwrap_err()
            .to_string()
            .starts_with(&format!("{broken}, line 2: ")));
    }

    #[test]
    fn oversized_files_are_refused_with_their_limit() {
        let dir = TempDir::new();
        // Past the limit by one byte, in a comment line: parsed, it would be fine.
        let big = format!("[default]\n#{}\n", "x".repeat(4 * 1024 * 1024 - 11));
        assert_eq!(big.len() as u64, PROFILE_FILE_LIMIT.bytes + 1);
        let config = dir.write("config", &big);
        let env = |name: &str| (name == "AWS_CONFIG_FILE").then(|| config.clone());
        let error = ProfileSet::load(&env).unwrap_err();
        assert_eq!((error.path(), error.line()), (config.as_str(), None));
        assert_eq!(
            error.to_string(),
            format!(
                "{config}: is larger than 4 MiB, too large for a shared config or credentials \
                 file (named by AWS_CONFIG_FILE)"
            )
        );
        // At the limit it is read; the default path is named as such.
        let home = dir.0.join("home");
        let at_limit = &big[..big.len() - 1];
        let credentials = dir.write("home/.aws/credentials", at_limit);
        let home_text = home.display().to_string();
        let env = |name: &str| (name == "HOME").then(|| home_text.clone());
        assert!(ProfileSet::load_for_platform(&env, false).is_ok());
        std::fs::write(&credentials, &big).unwrap();
        let error = ProfileSet::load_for_platform(&env, false).unwrap_err();
        assert_eq!(error.path(), credentials);
        assert!(
            error
                .to_string()
                .ends_with("(the default path, as AWS_SHARED_CREDENTIALS_FILE is unset)"),
            "{error}"
        );
    }

    #[test]
    fn profile_errors_become_config_errors() {
        let error: ConfigError = config("x = 1").unwrap_err().into();
        assert!(error.to_string().contains("/c, line 1: property before"));
    }
}
