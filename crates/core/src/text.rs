//! Text normalisation shared by every parser.
//!
//! People type identifiers with a Chinese input method switched on, so digits,
//! letters and brackets often arrive in their full-width forms (`１２３`, `（`).
//! Parsers fold them to one form before looking at them.

/// Folds full-width ASCII variants (U+FF01–U+FF5E) to ASCII and the ideographic
/// space (U+3000) to a space. Everything else is kept.
pub fn fold_width(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// Trims and folds width; also removes spaces inside identifiers
/// (`1101 0519 4912 3100 2X` is how people copy ID numbers from a card).
pub fn normalize_identifier(input: &str) -> String {
    fold_width(input).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Trims a free-text field and folds runs of whitespace (including
/// newlines) to single spaces. Used for names, not for long texts.
pub fn normalize_line(input: &str) -> String {
    let folded = input.replace('\u{3000}', " ");
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises a long text (e.g. operative text of a judgment): keeps line breaks,
/// trims trailing spaces on each line and surrounding blank lines, unifies
/// line endings.
pub fn normalize_block(input: &str) -> String {
    let unified = input.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = unified.lines().map(str::trim_end).collect();
    lines.join("\n").trim_matches('\n').to_string()
}

/// Search key used both when indexing and when querying: width-folded,
/// whitespace removed, ASCII lower-cased, brackets unified to full width so
/// `(2025)` and `（2025）` find the same case.
pub fn search_key(input: &str) -> String {
    normalize_identifier(input)
        .chars()
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_digits_letters_and_brackets() {
        assert_eq!(fold_width("（２０２５）ＡＢｃ"), "(2025)ABc");
        assert_eq!(normalize_identifier(" 1101 0519\u{3000}4912 3100 2x "), "11010519491231002x");
    }

    #[test]
    fn normalizes_lines_and_blocks() {
        assert_eq!(normalize_line("  张\u{3000}三 \n"), "张 三");
        assert_eq!(normalize_block("\n一、被告支付\r\n二、驳回  \n\n"), "一、被告支付\n二、驳回");
    }

    #[test]
    fn search_key_unifies_brackets_and_case() {
        assert_eq!(search_key("(2025)浙0203执1号"), "（2025）浙0203执1号");
        assert_eq!(search_key("9133 0200ma"), "91330200ma");
    }
}
