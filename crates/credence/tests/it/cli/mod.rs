//! The `credence` binary as an operator uses it: settings, errors at start-up, admin commands,
//! demo seeding, serving and graceful shutdown.

mod check;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::helpers::{fresh_database, unique_name, Backend};

/// The `credence` binary with the developer's own settings kept out.
pub(crate) fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_credence"));
    // Keep the developer's own settings out of the tests.
    for var in [
        "CREDENCE_LISTEN",
        "CREDENCE_DATA_DIR",
        "CREDENCE_DATABASE_URL",
        "CREDENCE_CONFIG",
        "CREDENCE_PUBLIC_URL",
        "CREDENCE_INSTANCE_TITLE",
        "CREDENCE_CONTACT_EMAIL",
        "CREDENCE_REGISTRATIONS_OPEN",
        "CREDENCE_TRUST_PROXY",
        "CREDENCE_SOURCE_URL",
        "CREDENCE_KEY_FILE",
    ] {
        c.env_remove(var);
    }
    c.env("CREDENCE_LOG", "warn");
    c
}

struct TempDir(PathBuf);
impl TempDir {
    fn new() -> TempDir {
        let dir = std::env::temp_dir().join(unique_name("credence_cli"));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(cmd: &mut Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        // The process may exit before reading (on a bad flag): a broken pipe is expected then.
        .ok();
    child.wait_with_output().unwrap()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn bad_flags_are_reported() {
    let o = run(bin().args(["serve", "--no-such-flag"]), "");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unexpected argument '--no-such-flag'"));
    let dir = TempDir::new();
    let o = run(
        bin().arg("--data-dir").arg(dir.path()).args([
            "admin",
            "create-user",
            "--email",
            "a@b.org",
            "--handle",
            "abc",
            "--role",
            "king",
        ]),
        "pw",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid value 'king'"));
    let o = run(
        bin().args(["--database-url", "mysql://localhost/x", "migrate"]),
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unsupported database URL"));
}

/// The key file from the operator's side: not needed to migrate; made at the first start,
/// readable by its owner only; checked by `admin check-key`, rotated by `admin rotate-key`; a
/// missing, wrong or world-readable one stops every command that opens the records with a
/// message and exit status 1, and the database is left as it was.
#[test]
fn key_file_is_made_rotated_and_guarded() {
    let dir = TempDir::new();
    let data = dir.path().join("data");
    let cmd = |key: &Path, args: &[&str]| {
        let mut c = bin();
        c.arg("--data-dir")
            .arg(&data)
            .arg("--key-file")
            .arg(key)
            .args(args);
        run(&mut c, "")
    };
    let key = data.join("credence.key");
    // Migrating reads no key: a migration job needs no secret.
    let o = cmd(&key, &["migrate"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!key.exists());
    let o = cmd(&key, &["admin", "check-key"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("opens this database"), "{}", stdout(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let before = std::fs::read_to_string(&key).unwrap();
    let o = cmd(&key, &["admin", "rotate-key"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("rotated the key"), "{}", stdout(&o));
    assert_ne!(std::fs::read_to_string(&key).unwrap(), before);

    let o = cmd(&dir.path().join("elsewhere.key"), &["admin", "check-key"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is missing"), "{}", stderr(&o));
    let other = TempDir::new();
    let other_key = other.path().join("other.key");
    let o = run(
        bin()
            .arg("--data-dir")
            .arg(other.path())
            .arg("--key-file")
            .arg(&other_key)
            .args(["admin", "check-key"]),
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = cmd(&other_key, &["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("does not open this database"),
        "{}",
        stderr(&o)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
        let o = cmd(&key, &["admin", "check-key"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("chmod 600"), "{}", stderr(&o));
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let o = cmd(&key, &["admin", "check-key"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Like every setting: from credence.toml, overridden by the environment.
    let layered = TempDir::new();
    let config = layered.path().join("credence.toml");
    let (from_file, from_env) = (
        layered.path().join("from-file.key"),
        layered.path().join("from-env.key"),
    );
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nkey_file = {from_file:?}\n",
            layered.path().join("d")
        ),
    )
    .unwrap();
    let o = run(
        bin()
            .arg("--config")
            .arg(&config)
            .args(["admin", "check-key"]),
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(from_file.exists());
    std::fs::rename(&from_file, &from_env).unwrap();
    let o = run(
        bin()
            .arg("--config")
            .arg(&config)
            .env("CREDENCE_KEY_FILE", &from_env)
            .args(["admin", "check-key"]),
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!from_file.exists(), "the environment's key file was used");
}

#[test]
fn data_dir_that_cannot_be_written_is_reported() {
    let dir = TempDir::new();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let o = run(
        bin()
            .arg("--data-dir")
            .arg(file.join("data"))
            .arg("migrate"),
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot create the data directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
#[ignore = "needs PostgreSQL on 127.0.0.1:5432; scripts/test runs it"]
fn postgres_needs_no_writable_data_dir() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let database = rt.block_on(fresh_database(Backend::Postgres));
    let dir = TempDir::new();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let o = run(
        bin().arg("--data-dir").arg(file.join("data")).args([
            "--database-url",
            &database.url,
            "migrate",
        ]),
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("migrations applied"), "{}", stdout(&o));
    assert!(!file.join("data").exists());
}

#[test]
fn unreachable_database_is_reported() {
    let dir = TempDir::new();
    // Port 1 on loopback: nothing listens there.
    let o = run(
        bin().arg("--data-dir").arg(dir.path()).args([
            "--database-url",
            "postgres://postgres@127.0.0.1:1/credence",
            "migrate",
        ]),
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("cannot open the database at postgres://postgres@127.0.0.1:1/credence"),
        "{err}"
    );
}

#[test]
fn settings_file_is_read_and_checked() {
    let dir = TempDir::new();
    let config = dir.path().join("credence.toml");
    std::fs::write(
        &config,
        format!("data_dir = {:?}\nsurprise = 1\n", dir.path().join("d")),
    )
    .unwrap();
    let o = run(bin().arg("--config").arg(&config).arg("migrate"), "");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not valid"), "{}", stderr(&o));
    std::fs::write(
        &config,
        format!("data_dir = {:?}\n", dir.path().join("from-file")),
    )
    .unwrap();
    let o = run(bin().arg("--config").arg(&config).arg("migrate"), "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("from-file/credence.db").exists());
    // The environment overrides the file, and a flag overrides both.
    let o = run(
        bin()
            .arg("--config")
            .arg(&config)
            .env("CREDENCE_DATA_DIR", dir.path().join("from-env"))
            .arg("migrate"),
        "",
    );
    assert!(o.status.success());
    assert!(dir.path().join("from-env/credence.db").exists());
    let o = run(
        bin()
            .arg("--config")
            .arg(&config)
            .env("CREDENCE_DATA_DIR", dir.path().join("from-env"))
            .arg("--data-dir")
            .arg(dir.path().join("from-flag"))
            .arg("migrate"),
        "",
    );
    assert!(o.status.success());
    assert!(dir.path().join("from-flag/credence.db").exists());
}

#[test]
fn create_user_then_token_then_serve_then_stop() {
    let dir = TempDir::new();
    let data = || {
        let mut c = bin();
        c.arg("--data-dir").arg(dir.path());
        c
    };
    let o = run(
        data().args([
            "admin",
            "create-user",
            "--email",
            "ops@example.org",
            "--handle",
            "dr_ops",
            "--role",
            "professional",
            "--verified",
        ]),
        "a long operator passphrase\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("@dr_ops") && stdout(&o).contains("verified"));
    // Weak passwords, duplicates, empty standard input and --verified on a member are refused.
    let o = run(
        data().args([
            "admin",
            "create-user",
            "--email",
            "x@example.org",
            "--handle",
            "weak_one",
            "--role",
            "member",
        ]),
        "short\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("too weak"));
    let o = run(
        data().args([
            "admin",
            "create-user",
            "--email",
            "ops@example.org",
            "--handle",
            "dup_mail",
            "--role",
            "member",
        ]),
        "a long operator passphrase\n",
    );
    assert!(stderr(&o).contains("already exists"));
    let o = run(
        data().args([
            "admin",
            "create-user",
            "--email",
            "n@example.org",
            "--handle",
            "no_pw",
            "--role",
            "member",
        ]),
        "",
    );
    assert!(stderr(&o).contains("no password on standard input"));
    let o = run(
        data().args([
            "admin",
            "create-user",
            "--email",
            "m@example.org",
            "--handle",
            "m_ver",
            "--role",
            "member",
            "--verified",
        ]),
        "a long operator passphrase\n",
    );
    assert!(stderr(&o).contains("--verified applies"));
    let o = run(data().args(["admin", "token", "--handle", "nobody"]), "");
    assert!(stderr(&o).contains("no profile has the handle @nobody"));
    let o = run(data().args(["admin", "token", "--handle", "dr_ops"]), "");
    assert!(o.status.success());
    let token = stdout(&o).trim().to_string();
    assert!(token.len() >= 40);
    // The server's rules and an announcement, from the command line.
    let o = run(
        data()
            .args([
                "admin",
                "rule",
                "add",
                "--text",
                "No patient details, ever.",
            ])
            .args(["--hint", "Names, dates and record numbers identify people."]),
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(data().args(["admin", "rule", "list"]), "");
    assert!(stdout(&o).contains("No patient details, ever."));
    let o = run(
        data()
            .args([
                "admin",
                "announce",
                "--text",
                "Maintenance on Sunday 02:00 UTC.",
            ])
            .args(["--until", "yesterday"]),
        "",
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--until takes a time like"),
        "{}",
        stderr(&o)
    );
    let o = run(
        data().args([
            "admin",
            "announce",
            "--text",
            "Maintenance on Sunday 02:00 UTC.",
        ]),
        "",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(data().args(["admin", "withdraw", "--id", "42"]), "");
    assert!(stderr(&o).contains("there is no announcement 42"));

    // Serve on a free port; the first stdout line says where. Metrics go to their own address.
    let metrics_address = format!("127.0.0.1:{}", crate::helpers::free_port());
    let mut server = data()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--metrics-listen", &metrics_address])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let me: serde_json::Value = c
            .get(format!("{base}/api/v1/accounts/verify_credentials"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["username"], "dr_ops");
        assert_eq!(me["credence"]["verification"]["verified"], true);
        assert_eq!(
            c.get(format!("{base}/healthz"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
            "ok\n"
        );
        let public_metrics = c.get(format!("{base}/metrics")).send().await.unwrap();
        assert_eq!(
            public_metrics.status(),
            404,
            "metrics are not on the public port"
        );
        let metrics = c
            .get(format!("http://{metrics_address}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains(
                "credence_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
            ),
            "{metrics}"
        );
        let rules: serde_json::Value = c
            .get(format!("{base}/api/v1/instance/rules"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(rules[0]["text"], "No patient details, ever.");
        let news: serde_json::Value = c
            .get(format!("{base}/api/v1/announcements"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(news[0]["content"]
            .as_str()
            .unwrap()
            .contains("Maintenance on Sunday"));
        assert_eq!(news[0]["read"], false);
        let id = news[0]["id"].as_str().unwrap();
        let dismissed = c
            .post(format!("{base}/api/v1/announcements/{id}/dismiss"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(dismissed.status(), 200);
        let news: serde_json::Value = c
            .get(format!("{base}/api/v1/announcements"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(news[0]["read"], true);
    });

    // A second server on the same port fails clearly.
    let port = base.rsplit(':').next().unwrap();
    let o = run(
        data().args(["serve", "--listen", &format!("127.0.0.1:{port}")]),
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{}",
        stderr(&o)
    );

    // SIGTERM: the server stops cleanly.
    let pid = server.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = server.wait().unwrap();
    assert!(
        status.success(),
        "graceful shutdown exits 0, got {status:?}"
    );
}

/// Starts `credence serve` on a free port; returns the process and its address.
fn serve_in(dir: &TempDir) -> (std::process::Child, String) {
    serve_with(dir, |_| {})
}

/// Like [`serve_in`], with flags or environment variables added by `configure`.
fn serve_with(
    dir: &TempDir,
    configure: impl FnOnce(&mut Command),
) -> (std::process::Child, String) {
    let mut cmd = bin();
    cmd.arg("--data-dir").arg(dir.path());
    configure(&mut cmd);
    let mut server = cmd
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().rsplit("http://").next().unwrap().to_string();
    (server, addr)
}

#[test]
fn sigterm_lets_an_in_flight_request_finish() {
    use std::io::Read;
    use std::time::Duration;
    let dir = TempDir::new();
    let (mut server, addr) = serve_in(&dir);
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    // Headers and half the body: the request is in flight when the signal comes.
    let body = "client_name=Slow+client&redirect_uris=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob";
    let (first, rest) = body.split_at(body.len() / 2);
    write!(
        stream,
        "POST /api/v1/apps HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{first}",
        body.len()
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(Duration::from_millis(300));
    // The rest of the body after the signal: the server still reads it and answers.
    stream.write_all(rest.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 "), "no answer: {response:?}");
    assert!(response.contains("Slow client"), "{response}");
    let status = server.wait().unwrap();
    assert!(
        status.success(),
        "graceful shutdown exits 0, got {status:?}"
    );
}

fn stop(mut server: std::process::Child) {
    assert!(Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap()
        .success());
    assert!(server.wait().unwrap().success());
}

#[test]
fn instance_settings_come_from_flags_and_environment() {
    let dir = TempDir::new();
    let (server, addr) = serve_with(&dir, |c| {
        c.env("CREDENCE_INSTANCE_TITLE", "Lakeside Health")
            .env("CREDENCE_CONTACT_EMAIL", "Ops@Lakeside.example")
            .env("CREDENCE_REGISTRATIONS_OPEN", "false")
            .env("CREDENCE_TRUST_PROXY", "true")
            .env(
                "CREDENCE_SOURCE_URL",
                "https://git.lakeside.example/credence",
            )
            // A flag beats the environment.
            .args(["--contact-email", "admin@lakeside.example"]);
    });
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let v2: serde_json::Value = c
            .get(format!("http://{addr}/api/v2/instance"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v2["title"], "Lakeside Health");
        assert_eq!(v2["contact"]["email"], "admin@lakeside.example");
        assert_eq!(v2["registrations"]["enabled"], false);
        assert_eq!(v2["source_url"], "https://git.lakeside.example/credence");
        // The AGPL offer of the source is on every page; trust_proxy believes the proxy's scheme.
        let page = c
            .get(format!("http://{addr}/signin"))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        let cookie = page.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.contains("; Secure"), "{cookie}");
        let page = page.text().await.unwrap();
        assert!(
            page.contains("<a href=\"https://git.lakeside.example/credence\" id=\"source-code\">Source code</a>"),
            "{page}"
        );
    });
    stop(server);
    // The defaults: the project's repository, open registrations.
    let (server, addr) = serve_in(&dir);
    rt.block_on(async {
        let v2: serde_json::Value = reqwest::get(format!("http://{addr}/api/v2/instance"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(v2["title"], "Credence");
        assert_eq!(v2["source_url"], env!("CARGO_PKG_REPOSITORY"));
        assert_eq!(v2["registrations"]["enabled"], true);
    });
    stop(server);
    // Bad values are refused at start.
    for (var, value, message) in [
        (
            "CREDENCE_REGISTRATIONS_OPEN",
            "maybe",
            "invalid value 'maybe'",
        ),
        (
            "CREDENCE_SOURCE_URL",
            "ftp://example.org/x",
            "must start with http",
        ),
        (
            "CREDENCE_CONTACT_EMAIL",
            "nobody",
            "is not an e-mail address",
        ),
        (
            "CREDENCE_INSTANCE_TITLE",
            "Lake\u{202E}side",
            "invisible formatting",
        ),
    ] {
        let o = run(
            bin()
                .arg("--data-dir")
                .arg(dir.path())
                .env(var, value)
                .arg("migrate"),
            "",
        );
        assert!(!o.status.success(), "{var}={value}");
        assert!(stderr(&o).contains(message), "{var}: {}", stderr(&o));
    }
}

#[test]
fn demo_twice_adds_nothing_twice() {
    let dir = TempDir::new();
    let o = run(bin().arg("--data-dir").arg(dir.path()).arg("demo"), "");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("12 account(s) created"),
        "{}",
        stdout(&o)
    );
    let o = run(bin().arg("--data-dir").arg(dir.path()).arg("demo"), "");
    assert!(stdout(&o).contains("0 account(s) created"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = credence_core::kernel::db::Db::connect(&format!("sqlite:{}", dir.path().join("credence.db").display())).await.unwrap();
        use sqlx::Row;
        let count = |sql: &'static str| {
            let pool = db.pool.clone();
            async move { sqlx::query(sql).fetch_one(&pool).await.unwrap().get::<i64, _>(0) }
        };
        assert_eq!(count("SELECT COUNT(*) FROM users").await, 12);
        assert!(count("SELECT COUNT(*) FROM profiles WHERE verification_state = 'verified' AND kind = 'professional'").await >= 4);
        assert_eq!(count("SELECT COUNT(*) FROM profiles WHERE verification_state = 'verified' AND kind = 'organisation'").await, 1);
        assert_eq!(count("SELECT COUNT(*) FROM profiles WHERE verification_state = 'pending'").await, 1);
        assert_eq!(count("SELECT COUNT(*) FROM profiles WHERE verification_state = 'unverified'").await, 1);
        assert_eq!(count("SELECT COUNT(*) FROM users WHERE role = 'member'").await, 3);
        assert_eq!(count("SELECT COUNT(*) FROM disclosures").await, 3);
        // Demo posts went through the publishing rules, once.
        assert_eq!(count("SELECT COUNT(*) FROM posts WHERE state = 'published'").await, 4);
        assert_eq!(count("SELECT COUNT(*) FROM posts WHERE label = 'evidence_based'").await, 2);
        assert_eq!(count("SELECT COUNT(*) FROM follows").await, 2);
    });
}
