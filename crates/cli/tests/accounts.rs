//! `tongban admin set-password` and `tongban admin create-user --no-password`, as scripts
//! use them, on both databases: the password from standard input or an environment
//! variable, exit 2 with a clear message for an unknown login, the activation code printed.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use tongban_store::testing::{each_backend, seed_minimal};

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Runs the binary with `args`, `stdin` on its standard input and `env` set.
fn tongban(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .args(args)
        .env("TONGBAN_LOG", "warn")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tongban runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
    child.wait_with_output().expect("tongban ends")
}

async fn password_of(store: &tongban_store::Store, login: &str) -> String {
    store.account(login).await.expect("read").expect("the account").password_hash
}

#[test]
fn the_account_commands_have_help() {
    for args in [["admin", "set-password", "--help"], ["admin", "create-user", "--help"]] {
        let o = tongban(&args, "", &[]);
        assert!(o.status.success() && text(&o).0.contains("Usage"), "{args:?}: {:?}", text(&o));
    }
    let o = tongban(&["admin", "create-user", "--help"], "", &[]);
    assert!(text(&o).0.contains("--no-password"), "{:?}", text(&o));
}

#[tokio::test]
async fn admin_set_password_sets_it_from_stdin_or_the_environment_and_refuses_unknown_logins() {
    for t in each_backend().await {
        seed_minimal(&t.store).await;
        let db = ["--database-url", t.url.as_str()];
        let o = tongban(
            &[&["admin", "create-user"][..], &db, &["--login", "admin", "--name", "管理员", "--no-password"]].concat(),
            "",
            &[],
        );
        assert!(o.status.success(), "{}: {:?}", t.name, text(&o));
        let printed = text(&o).0;
        let code = printed.lines().find_map(|l| l.strip_prefix("activation code for admin: ")).expect("the code");
        assert_eq!(code.len(), 19, "{printed}");
        assert!(password_of(&t.store, "admin").await.is_empty(), "no password until activated");

        let o = tongban(
            &[&["admin", "set-password"][..], &db, &["--login", "nobody"]].concat(),
            "long enough password\n",
            &[],
        );
        assert_eq!(o.status.code(), Some(2), "{:?}", text(&o));
        assert!(text(&o).1.contains("no account nobody"), "{:?}", text(&o));

        let o = tongban(&[&["admin", "set-password"][..], &db, &["--login", "admin"]].concat(), "short\n", &[]);
        assert_eq!(o.status.code(), Some(2), "core's password rule: {:?}", text(&o));
        assert!(password_of(&t.store, "admin").await.is_empty(), "nothing is written");

        let o = tongban(
            &[&["admin", "set-password"][..], &db, &["--login", "admin"]].concat(),
            "from standard input\n",
            &[],
        );
        assert!(o.status.success(), "{:?}", text(&o));
        let hash = password_of(&t.store, "admin").await;
        assert!(tongban_server::auth::verify_password("from standard input".into(), Some(hash)).await);

        let args = [&["admin", "set-password"][..], &db, &["--login", "admin", "--password-env", "TB_NEW"]].concat();
        let o = tongban(&args, "", &[("TB_NEW", "from the environment")]);
        assert!(o.status.success(), "{:?}", text(&o));
        let hash = password_of(&t.store, "admin").await;
        assert!(tongban_server::auth::verify_password("from the environment".into(), Some(hash)).await);

        let audit = t.store.audit_entries().await.expect("audit");
        let set = audit.iter().filter(|e| e.action == "account.password.set" && e.subject == "admin").count();
        assert_eq!(set, 2, "each setting is audited");
        assert!(audit.iter().any(|e| e.action == "account.activation.issue" && e.subject == "admin"));
        assert!(audit.iter().all(|e| !e.detail.contains("from standard input") && !e.detail.contains(code)));
        t.cleanup().await;
    }
}
