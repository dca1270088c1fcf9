//! Server-rendered HTML pages. Plain forms that post to the `/api/auth/*`
//! endpoints, which answer a form post with a redirect instead of JSON.
//! No JavaScript: the tokens live in HttpOnly cookies the page never sees.

use axum::response::Html;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn layout(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · rjose auth service</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}\
         label{{display:block;margin:.5rem 0}}input{{display:block;width:100%;box-sizing:border-box;padding:.4rem}}\
         button{{margin-top:.8rem;padding:.4rem 1rem}}.notice{{padding:.6rem;border:1px solid #c90;background:#fff8e0}}\
         </style></head><body><h1>{title}</h1>\n{body}\n</body></html>",
        title = escape(title),
    ))
}

/// The message shown for a `?error=` code on the sign-in page. Only known
/// codes are shown; anything else in the query is ignored rather than
/// echoed.
fn error_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "session_expired" => "Your session expired. Refresh it, or sign in again.",
        "sign_in_required" => "Please sign in to see that page.",
        "session_revoked" | "invalid_session" => "Your session has ended. Please sign in again.",
        "invalid_credentials" => "Wrong email or password.",
        "too_many_attempts" => "Too many failed sign-ins for this email. Please wait a few minutes and try again.",
        "refresh_failed" => "Your session could not be refreshed. Please sign in again.",
        "email_taken" => "An account with that email already exists.",
        "invalid_input" => "Please check the email and password (at least 8 characters).",
        _ => return None,
    })
}

/// `/`: links, and a greeting for a signed-in visitor.
pub fn home(signed_in_as: Option<&str>) -> Html<String> {
    let body = match signed_in_as {
        Some(user) => format!(
            "<p>Signed in (user <code>{}</code>).</p><p><a href=\"/dashboard\">Go to the dashboard</a></p>",
            escape(user)
        ),
        None => "<p>An example service for rjose-axum.</p>\
                 <p><a href=\"/sign-in\">Sign in</a> or <a href=\"/sign-up\">create an account</a>.</p>"
            .to_owned(),
    };
    layout("Home", &body)
}

/// `/sign-in`, with the notice for `error` and, after an expired session,
/// a button that refreshes it with the refresh cookie.
pub fn sign_in(error: Option<&str>, notice: Option<&str>) -> Html<String> {
    let mut body = String::new();
    if let Some(message) = error.and_then(error_message) {
        body.push_str(&format!("<p class=\"notice\" id=\"error\">{message}</p>"));
    }
    if let Some(notice) = notice {
        body.push_str(&format!("<p class=\"notice\" id=\"notice\">{}</p>", escape(notice)));
    }
    if error == Some("session_expired") {
        body.push_str(
            "<form method=\"post\" action=\"/api/auth/refresh\">\
             <button type=\"submit\" id=\"refresh\">Refresh session</button></form><hr>",
        );
    }
    body.push_str(
        "<form method=\"post\" action=\"/api/auth/sign-in\">\
         <label>Email <input type=\"email\" name=\"email\" required autocomplete=\"username\"></label>\
         <label>Password <input type=\"password\" name=\"password\" required autocomplete=\"current-password\"></label>\
         <button type=\"submit\" id=\"sign-in\">Sign in</button></form>\
         <p>No account? <a href=\"/sign-up\">Sign up</a></p>",
    );
    layout("Sign in", &body)
}

/// `/sign-up`.
pub fn sign_up(error: Option<&str>) -> Html<String> {
    let mut body = String::new();
    if let Some(message) = error.and_then(error_message) {
        body.push_str(&format!("<p class=\"notice\" id=\"error\">{message}</p>"));
    }
    body.push_str(
        "<form method=\"post\" action=\"/api/auth/sign-up\">\
         <label>Email <input type=\"email\" name=\"email\" required autocomplete=\"username\"></label>\
         <label>Password <input type=\"password\" name=\"password\" required minlength=\"8\" autocomplete=\"new-password\"></label>\
         <button type=\"submit\" id=\"sign-up\">Create account</button></form>\
         <p>Have an account? <a href=\"/sign-in\">Sign in</a></p>",
    );
    layout("Sign up", &body)
}

/// What the dashboard shows about the signed-in user.
pub struct DashboardView<'a> {
    /// The user's email.
    pub email: &'a str,
    /// `user` or `admin`.
    pub role: &'a str,
    /// The session (refresh token family) id.
    pub session_id: &'a str,
    /// When the access token expires (Unix seconds).
    pub expires_at: Option<i64>,
    /// Whether the email is verified.
    pub email_verified: bool,
}

/// `/dashboard`: protected; the layer redirects here-less visitors to
/// `/sign-in?error=...`.
pub fn dashboard(view: &DashboardView<'_>) -> Html<String> {
    let body = format!(
        "<p id=\"welcome\">Welcome, <strong>{email}</strong>.</p>\
         <ul><li>Role: <code id=\"role\">{role}</code></li>\
         <li>Session: <code>{session}</code></li>\
         <li>Email verified: {verified}</li>\
         <li>Access token expires at (Unix time): <code>{exp}</code></li></ul>\
         <form method=\"post\" action=\"/api/auth/refresh\"><button type=\"submit\" id=\"refresh\">Refresh session</button></form>\
         <form method=\"post\" action=\"/api/auth/sign-out\"><button type=\"submit\" id=\"sign-out\">Sign out</button></form>",
        email = escape(view.email),
        role = escape(view.role),
        session = escape(view.session_id),
        verified = if view.email_verified { "yes" } else { "no" },
        exp = view.expires_at.map_or_else(|| "-".to_owned(), |e| e.to_string()),
    );
    layout("Dashboard", &body)
}
