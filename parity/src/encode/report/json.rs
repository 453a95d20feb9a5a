//! The layout of the report's JSON: between compact and pretty, so that it
//! is short and reads well in a diff. Objects have one key per line; the
//! elements of an array of objects or arrays have one line each, in compact
//! form, unless an element is itself large (an ISA's part of the report),
//! which is laid out the same way one level deeper. Key order is kept.

/// An array element up to this long stays on one line.
const ONE_LINE: usize = 4000;

/// `compact` (JSON as `serde_json::to_string` writes it) laid out.
pub(super) fn layout(compact: &str) -> String {
    let closes = matching_closes(compact);
    let mut out = String::with_capacity(compact.len() * 11 / 10);
    value(compact, &closes, 0, 0, &mut out);
    out
}

/// For each `{` or `[` outside strings, the index of its matching closer.
fn matching_closes(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut closes = vec![0; bytes.len()];
    let mut stack = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => stack.push(i),
            b'}' | b']' => {
                if let Some(open) = stack.pop() {
                    closes[open] = i;
                }
            }
            _ => {}
        }
    }
    closes
}

/// The end (exclusive) of the scalar or container that starts at `start`.
fn end_of(text: &str, closes: &[usize], start: usize) -> usize {
    let bytes = text.as_bytes();
    match bytes[start] {
        b'{' | b'[' => closes[start] + 1,
        b'"' => {
            let mut escaped = false;
            for (i, &b) in bytes.iter().enumerate().skip(start + 1) {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => return i + 1,
                    _ => {}
                }
            }
            bytes.len()
        }
        _ => start + bytes[start..].iter().position(|&b| b == b',' || b == b'}' || b == b']').unwrap_or(0).max(1),
    }
}

/// The members of the container at `start`: each member's start (for an
/// object, the start of its key).
fn members(text: &str, closes: &[usize], start: usize) -> Vec<usize> {
    let end = closes[start];
    let is_object = text.as_bytes()[start] == b'{';
    let mut starts = Vec::new();
    let mut at = start + 1;
    while at < end {
        starts.push(at);
        if is_object {
            at = end_of(text, closes, at) + 1; // the key and its `:`
        }
        at = end_of(text, closes, at) + 1; // the value and its `,`
    }
    starts
}

fn newline(depth: usize, out: &mut String) {
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
}

/// Lays out the value at `start` at indentation `depth`.
fn value(text: &str, closes: &[usize], start: usize, depth: usize, out: &mut String) {
    let bytes = text.as_bytes();
    let end = end_of(text, closes, start);
    let (open, close) = match bytes[start] {
        b'{' => ('{', '}'),
        b'[' => ('[', ']'),
        _ => {
            out.push_str(&text[start..end]);
            return;
        }
    };
    let items = members(text, closes, start);
    let nested = |at: usize| matches!(bytes[at], b'{' | b'[');
    if items.is_empty() || (open == '[' && !items.iter().any(|&at| nested(at))) {
        out.push_str(&text[start..end]);
        return;
    }
    out.push(open);
    for (i, &at) in items.iter().enumerate() {
        newline(depth + 1, out);
        let mut at = at;
        if open == '{' {
            let key_end = end_of(text, closes, at);
            out.push_str(&text[at..key_end]);
            out.push_str(": ");
            at = key_end + 1;
            value(text, closes, at, depth + 1, out);
        } else if end_of(text, closes, at) - at <= ONE_LINE {
            out.push_str(&text[at..end_of(text, closes, at)]);
        } else {
            value(text, closes, at, depth + 1, out);
        }
        if i + 1 < items.len() {
            out.push(',');
        }
    }
    newline(depth, out);
    out.push(close);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_expand_and_array_elements_stay_on_one_line() {
        let compact = r#"{"a":1,"b":[{"x":"s,}]\"","y":[1,2]},{"x":"t","y":[]}],"c":[1,2,3],"d":{},"e":[[1,2],[3]]}"#;
        let expected = "{\n  \"a\": 1,\n  \"b\": [\n    {\"x\":\"s,}]\\\"\",\"y\":[1,2]},\n    {\"x\":\"t\",\"y\":[]}\n  ],\n  \
                        \"c\": [1,2,3],\n  \"d\": {},\n  \"e\": [\n    [1,2],\n    [3]\n  ]\n}";
        assert_eq!(layout(compact), expected);
        let back: serde_json::Value = serde_json::from_str(&layout(compact)).expect("still JSON");
        assert_eq!(back, serde_json::from_str::<serde_json::Value>(compact).expect("JSON"));
    }

    #[test]
    fn a_large_element_is_laid_out_a_level_deeper() {
        let long = "x".repeat(ONE_LINE);
        let compact = format!(r#"[{{"name":"{long}","rows":[{{"k":1}}]}}]"#);
        let laid = layout(&compact);
        assert!(laid.starts_with("[\n  {\n    \"name\": \""), "{}", &laid[..40]);
        assert!(laid.ends_with("\"rows\": [\n      {\"k\":1}\n    ]\n  }\n]"), "{}", &laid[laid.len() - 60..]);
    }
}
