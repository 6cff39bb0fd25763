//! How a person's name appears where the public reads it.

/// A name with its middle hidden, as a board that masks names shows it: the first and last
/// characters stay, each character between becomes `*` (王小恩 → 王*恩); a two-character name keeps its
/// first character (王恩 → 王*); a single character stays as it is.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 | 1 => chars.into_iter().collect(),
        2 => format!("{}*", chars[0]),
        n => {
            let mut out = String::with_capacity(name.len());
            out.push(chars[0]);
            out.extend(std::iter::repeat_n('*', n - 2));
            out.push(chars[n - 1]);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mask_name;

    #[test]
    fn the_middle_of_a_name_is_hidden() {
        assert_eq!(mask_name("王小恩"), "王*恩");
        assert_eq!(mask_name("欧阳春晓"), "欧**晓");
        assert_eq!(mask_name("王恩"), "王*");
        assert_eq!(mask_name("王"), "王");
        assert_eq!(mask_name(" 李四 "), "李*");
    }
}
