//! Reading a metadata file: the root element, its namespace, and the leaf elements with their text and
//! line, in document order. The simulator's own reader (it shares nothing with the client's writer).

use quick_xml::Reader;
use quick_xml::events::Event;

/// A leaf element of a metadata file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaf {
    pub name: String,
    pub text: String,
    /// 1-based line of its start tag.
    pub line: u32,
    /// Names of the enclosing elements below the root (`types` for package.xml's `members`).
    pub parent: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Document {
    pub root: String,
    pub namespace: Option<String>,
    pub leaves: Vec<Leaf>,
}

impl Document {
    pub fn first(&self, name: &str) -> Option<&Leaf> {
        self.leaves.iter().find(|l| l.name == name)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.first(name).map(|l| l.text.as_str())
    }

    pub fn flag(&self, name: &str) -> Option<bool> {
        self.text(name).map(|t| t == "true")
    }
}

/// The error text and line of a file that is not well-formed XML.
pub type XmlError = (String, u32);

fn line_at(bytes: &[u8], offset: u64) -> u32 {
    let end = usize::try_from(offset).unwrap_or(bytes.len()).min(bytes.len());
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count() as u32
}

pub fn parse(bytes: &[u8]) -> Result<Document, XmlError> {
    let mut reader = Reader::from_reader(bytes);
    let mut doc = Document::default();
    // Open elements below the root: name, text, line, has-children.
    let mut stack: Vec<(String, String, u32, bool)> = Vec::new();
    let mut depth = 0usize;
    let mut buf = Vec::new();
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event_into(&mut buf).map_err(|e| (e.to_string(), line_at(bytes, position)))?;
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if depth == 0 {
                    doc.root = name;
                    for attribute in e.attributes().flatten() {
                        if attribute.key.as_ref() == "xmlns" {
                            doc.namespace = Some(attribute.value.to_string());
                        }
                    }
                } else {
                    if let Some(parent) = stack.last_mut() {
                        parent.3 = true;
                    }
                    stack.push((name, String::new(), line_at(bytes, position), false));
                }
                depth += 1;
            }
            Event::Empty(e) if depth > 0 => {
                if let Some(parent) = stack.last_mut() {
                    parent.3 = true;
                }
                let parent = stack.last().map(|s| s.0.clone());
                doc.leaves.push(Leaf {
                    name: e.name().as_ref().to_string(),
                    text: String::new(),
                    line: line_at(bytes, position),
                    parent,
                });
            }
            Event::Text(t) => {
                if let Some(open) = stack.last_mut() {
                    open.1.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    _ => match &*r.html_content() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => return Err((format!("unknown entity &{other};"), line_at(bytes, position))),
                    },
                };
                if let Some(open) = stack.last_mut() {
                    open.1.push(c);
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if let Some((name, text, line, has_children)) = stack.pop()
                    && !has_children
                {
                    let parent = stack.last().map(|s| s.0.clone());
                    doc.leaves.push(Leaf { name, text, line, parent });
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if doc.root.is_empty() {
        return Err(("no root element".to_string(), 1));
    }
    Ok(doc)
}
