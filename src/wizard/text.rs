//! A single-line text field: the value, a cursor, and editing. Values of secret fields are wiped on
//! drop. No length limit: a pasted redirect URL can be long.

use zeroize::Zeroizing;

/// An editable line of text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct TextField {
    value: Zeroizing<String>,
    /// Cursor position, in characters.
    cursor: usize,
}

impl std::fmt::Debug for TextField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Fields may hold a secret or a pasted code: show only the length.
        write!(f, "TextField({} chars)", self.value.chars().count())
    }
}

impl TextField {
    pub fn with(value: &str) -> Self {
        Self { value: Zeroizing::new(value.to_string()), cursor: value.chars().count() }
    }

    pub fn value(&self) -> &str {
        &self.value
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    pub fn len(&self) -> usize {
        self.value.chars().count()
    }

    pub fn set(&mut self, value: &str) {
        *self = Self::with(value);
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }

    fn byte_index(&self, char_index: usize) -> usize {
        self.value.char_indices().nth(char_index).map(|(i, _)| i).unwrap_or(self.value.len())
    }

    /// Inserts text at the cursor. Line breaks and tabs are dropped: every field is one line.
    pub fn insert(&mut self, text: &str) {
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        let at = self.byte_index(self.cursor);
        self.value.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    pub fn backspace(&mut self) {
        if self.cursor > 0 {
            let at = self.byte_index(self.cursor - 1);
            self.value.remove(at);
            self.cursor -= 1;
        }
    }

    pub fn delete(&mut self) {
        if self.cursor < self.len() {
            let at = self.byte_index(self.cursor);
            self.value.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_keeps_cursor_in_characters() {
        let mut f = TextField::with("ab");
        f.left();
        f.insert("é\n");
        assert_eq!(f.value(), "aéb");
        assert_eq!(f.cursor(), 2);
        f.backspace();
        f.delete();
        assert_eq!(f.value(), "a");
        f.home();
        f.insert("x");
        assert_eq!(f.value(), "xa");
        assert_eq!(format!("{f:?}"), "TextField(2 chars)");
    }
}
