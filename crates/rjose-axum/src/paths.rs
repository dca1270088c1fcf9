//! Path patterns for public paths and route classes.

/// A request path pattern: exact (`"/sign-in"`), or a prefix when it ends
/// in `*` (`"/api/auth/*"`, `"/dashboard*"`).
///
/// Patterns match the path exactly as the router sees it (no decoding, no
/// dot-segment removal), so what the layer treats as public is what the
/// router dispatches. A prefix ending in `/` also matches the path without
/// it: `"/api/auth/*"` covers `/api/auth`.
///
/// ```
/// use rjose_axum::PathPattern;
///
/// let auth = PathPattern::from("/api/auth/*");
/// assert!(auth.matches("/api/auth/sign-in"));
/// assert!(auth.matches("/api/auth"));
/// assert!(!auth.matches("/api/authors"));
/// assert!(!PathPattern::from("/").matches("/api/me"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    path: String,
    prefix: bool,
}

impl PathPattern {
    /// Whether `path` matches.
    pub fn matches(&self, path: &str) -> bool {
        if !self.prefix {
            return path == self.path;
        }
        path.starts_with(&self.path) || self.path.strip_suffix('/') == Some(path)
    }
}

impl From<&str> for PathPattern {
    fn from(pattern: &str) -> Self {
        match pattern.strip_suffix('*') {
            Some(prefix) => PathPattern {
                path: prefix.to_owned(),
                prefix: true,
            },
            None => PathPattern {
                path: pattern.to_owned(),
                prefix: false,
            },
        }
    }
}

impl From<String> for PathPattern {
    fn from(pattern: String) -> Self {
        PathPattern::from(pattern.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::PathPattern;

    #[test]
    fn exact_pattern_matches_only_itself() {
        let p = PathPattern::from("/sign-in");
        assert!(p.matches("/sign-in"));
        assert!(!p.matches("/sign-in/"));
        assert!(!p.matches("/sign-in-now"));
    }

    #[test]
    fn prefix_without_slash_matches_continuations() {
        let p = PathPattern::from("/dashboard*");
        assert!(p.matches("/dashboard"));
        assert!(p.matches("/dashboard/settings"));
        assert!(p.matches("/dashboards"));
    }

    #[test]
    fn star_alone_matches_everything() {
        assert!(PathPattern::from("*").matches("/anything"));
    }
}
