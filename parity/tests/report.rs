//! The `parity report` command line: a small sweep of both ISAs written as
//! `encoding.{json,md,html}`: the JSON holds every form of both ISAs, no
//! defect, a reason for every equivalent form; the HTML stands alone; and
//! the files are the same for any number of worker threads.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("parity-report").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Runs `parity report --cases 3` into `dir` with `jobs` threads (and the
/// whole-function section over `corpus/diff`) and returns its standard
/// output.
fn report(dir: &Path, jobs: &str) -> String {
    let out_dir = dir.to_str().expect("a UTF-8 path");
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus/diff");
    let output = Command::new(env!("CARGO_BIN_EXE_parity"))
        .args(["report", "--cases", "3", "--seed", "5", "--jobs", jobs, "--out-dir", out_dir])
        .args(["--whole-corpus", corpus])
        .output()
        .expect("runs parity");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn report_writes_three_files_about_both_isas() {
    let dir = scratch("both");
    let stdout = report(&dir, "2");
    assert_eq!(stdout.lines().last(), Some("whole-function different: 0"), "{stdout}");
    assert!(stdout.contains("\ndefects: 0\n"), "{stdout}");

    let json: serde_json::Value = serde_json::from_str(&read(&dir, "encoding.json")).expect("the JSON parses");
    assert_eq!(json["cases_per_form"], 3);
    assert_eq!(json["seed"], 5);
    let isas = json["isas"].as_array().expect("isas");
    let names: Vec<&str> = isas.iter().map(|isa| isa["isa"].as_str().expect("a name")).collect();
    assert_eq!(names, ["x86_64", "aarch64"]);
    for isa in isas {
        let forms = isa["forms"].as_array().expect("forms");
        assert_eq!(forms.len(), 432, "{}", isa["isa"]);
        assert_eq!(isa["defects"], 0);
        assert_eq!(isa["cranelift"]["different"], 0);
        let equivalent: Vec<&serde_json::Value> =
            forms.iter().filter(|f| f["cranelift_class"] == "equivalent").collect();
        assert!(!equivalent.is_empty(), "{}: no equivalent form", isa["isa"]);
        for form in equivalent {
            let reason = form["reason"].as_str().expect("a reason");
            assert!(!reason.is_empty(), "{form}");
            assert!(!reason.contains(oracle::cranelift::UNEXPLAINED), "{form}");
        }
        assert!(isa["cranelift_coverage"]["covered"].as_u64().expect("a count") > 0);
        assert_eq!(isa["cranelift_coverage"]["unlisted"], serde_json::json!([]));
    }
    assert_eq!(json["isas"][0]["cranelift_coverage"]["total"], 1073);
    assert_eq!(json["isas"][1]["cranelift_coverage"]["total"], 141);

    let html = read(&dir, "encoding.html");
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</body></html>\n"));
    for external in ["http", "<link", "<script src", "<script", "src="] {
        assert!(!html.contains(external), "the page refers to something outside it: {external}");
    }
    let md = read(&dir, "encoding.md");
    let form = isas[1]["forms"][0]["form"].as_str().expect("a form key");
    assert!(md.contains(&format!("| `{form}` |")), "{form} is not in the Markdown");
    assert!(html.contains(&format!("<td><code>{form}</code></td>")), "{form} is not in the HTML");
    assert!(md.contains("## x86_64\n") && md.contains("## aarch64\n"));
    assert!(html.contains("<h2 id=\"aarch64\">aarch64</h2>"));

    // The whole-function section: both ISAs, no defect, every equivalent
    // encoding with its reason, in the pages and the JSON.
    let title = parity::whole::section::TITLE;
    assert!(md.contains(title) && html.contains(title), "no whole-function section");
    let whole = &json["extra_sections"][0];
    assert_eq!(whole["title"], title);
    let whole_isas = whole["data"]["isas"].as_array().expect("isas");
    assert_eq!(whole_isas.len(), 2);
    for isa in whole_isas {
        let functions = &isa["functions"];
        assert_eq!(functions["different"], 0, "{}", isa["isa"]);
        assert!(functions["instructions"].as_u64().expect("a count") > 50, "{}", isa["isa"]);
        assert!(functions["identical"].as_u64().expect("a count") > 0, "{}", isa["isa"]);
        for reason in functions["equivalent_reasons"].as_array().expect("reasons") {
            assert!(!reason["reason"].as_str().expect("a reason").is_empty());
        }
    }
}

#[test]
fn report_is_the_same_for_any_number_of_threads() {
    let (one, two) = (scratch("one-thread"), scratch("two-threads"));
    report(&one, "1");
    report(&two, "2");
    for name in ["encoding.json", "encoding.md", "encoding.html"] {
        assert!(read(&one, name) == read(&two, name), "{name} differs between --jobs 1 and --jobs 2");
    }
}
