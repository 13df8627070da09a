//! The NumPy `.npy` format: `\x93NUMPY`, a version, a Python-literal header dict
//! (`descr`, `fortran_order`, `shape`) and the raw C-ordered data.

use super::npy_header::{parse_dict, Lit};

/// The element types we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Unsigned,
    Signed,
    Float,
    /// NumPy's fixed-width unicode (`<U8`: 8 UTF-32 code points); `size` is in bytes.
    Unicode,
}

/// Longest fixed-width string read (code points).
const MAX_UNICODE: usize = 4096;

/// One array: element type, shape and exactly `product(shape) × size` bytes of data.
#[derive(Debug)]
pub(crate) struct Npy {
    pub descr: String,
    pub kind: Kind,
    pub size: usize,
    pub big_endian: bool,
    pub shape: Vec<usize>,
    pub data: Vec<u8>,
}

/// A `.npy` header: what [`Npy`] holds but the data, and where the data starts.
#[derive(Debug)]
pub(crate) struct Header {
    pub descr: String,
    pub kind: Kind,
    pub size: usize,
    pub big_endian: bool,
    pub shape: Vec<usize>,
    /// Bytes before the data (magic, version, length and the dict).
    pub data_start: usize,
}

/// Parses a whole `.npy` file; the error is the problem, without the file name.
pub(crate) fn parse(mut bytes: Vec<u8>) -> Result<Npy, String> {
    let Header { descr, kind, size, big_endian, shape, data_start } = parse_header(&bytes)?;
    let need = shape
        .iter()
        .try_fold(size, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format!("shape {} is too large", shape_str(&shape)))?;
    let have = bytes.len() - data_start;
    if have < need {
        return Err(format!(
            "truncated data: shape {} of {descr} needs {need} bytes but only {have} follow",
            shape_str(&shape)
        ));
    }
    if have > need {
        return Err(format!("{} unexpected bytes after the array data", have - need));
    }
    bytes.drain(..data_start);
    Ok(Npy { descr, kind, size, big_endian, shape, data: bytes })
}

/// The length of the whole header (magic, version, length field and dict) from the file's first 12 bytes;
/// `None` when they are not the start of a `.npy` header [`parse_header`] reads.
pub(crate) fn header_len(first: &[u8]) -> Option<usize> {
    if !first.starts_with(b"\x93NUMPY") {
        return None;
    }
    let (len_bytes, start) = match first.get(6)? {
        1 => (2, 10),
        2 | 3 => (4, 12),
        _ => return None,
    };
    let mut len = [0u8; 4];
    len[..len_bytes].copy_from_slice(first.get(8..8 + len_bytes)?);
    usize::try_from(u32::from_le_bytes(len)).ok()?.checked_add(start)
}

/// Parses the header at the start of `bytes` (a whole file, or only its beginning).
pub(crate) fn parse_header(bytes: &[u8]) -> Result<Header, String> {
    if !bytes.starts_with(b"\x93NUMPY") {
        return Err("not a .npy array (bad magic bytes)".into());
    }
    let (Some(&major), Some(&minor)) = (bytes.get(6), bytes.get(7)) else {
        return Err("truncated .npy header".into());
    };
    let start = match major {
        1 => 10,
        2 | 3 => 12,
        _ => return Err(format!("unsupported .npy version {major}.{minor}")),
    };
    let header_end = header_len(bytes).filter(|&end| end <= bytes.len()).ok_or("truncated .npy header")?;
    let text = String::from_utf8_lossy(&bytes[start..header_end]).into_owned();
    let dict = parse_dict(&text).map_err(|e| format!("bad .npy header {:?}: {e}", text.trim()))?;
    let field = |k: &str| dict.iter().find(|(key, _)| key == k).map(|(_, v)| v);
    let descr = match field("descr") {
        Some(Lit::Str(s)) => s.clone(),
        Some(_) => return Err("unsupported dtype: structured arrays are not supported".into()),
        None => return Err("the .npy header has no 'descr'".into()),
    };
    let (kind, size, big_endian) = parse_descr(&descr)?;
    match field("fortran_order") {
        Some(Lit::Bool(false)) => {}
        Some(Lit::Bool(true)) => {
            return Err("fortran_order is True: Fortran-ordered arrays are not supported \
                        (save np.ascontiguousarray(a) instead)"
                .into())
        }
        _ => return Err("the .npy header has no boolean 'fortran_order'".into()),
    }
    let shape = match field("shape") {
        Some(Lit::Tuple(items)) => items
            .iter()
            .map(|v| match v {
                Lit::Int(n) => usize::try_from(*n).map_err(|_| "shape too large".to_string()),
                _ => Err("the .npy shape holds a non-integer".to_string()),
            })
            .collect::<Result<Vec<usize>, String>>()?,
        _ => return Err("the .npy header has no tuple 'shape'".into()),
    };
    Ok(Header { descr, kind, size, big_endian, shape, data_start: header_end })
}

/// Splits a dtype string like `<f4` or `|u1` into kind, byte size and byte order.
fn parse_descr(descr: &str) -> Result<(Kind, usize, bool), String> {
    let unsupported = || format!("unsupported dtype '{descr}'");
    let (order, rest) = match descr.chars().next() {
        Some(c @ ('<' | '>' | '|' | '=')) => (c, &descr[1..]),
        _ => ('=', descr),
    };
    let big_endian = order == '>' || (order == '=' && cfg!(target_endian = "big"));
    let mut chars = rest.chars();
    let kind = match chars.next() {
        Some('u') => Kind::Unsigned,
        Some('i') => Kind::Signed,
        Some('f') => Kind::Float,
        Some('U') => Kind::Unicode,
        _ => return Err(unsupported()),
    };
    let mut size: usize = chars.as_str().parse().map_err(|_| unsupported())?;
    let ok = match kind {
        Kind::Unsigned | Kind::Signed => matches!(size, 1 | 2 | 4 | 8),
        Kind::Float => matches!(size, 4 | 8),
        Kind::Unicode => (1..=MAX_UNICODE).contains(&size),
    };
    if kind == Kind::Unicode {
        size *= 4;
    }
    if ok {
        Ok((kind, size, big_endian))
    } else {
        Err(unsupported())
    }
}

/// Formats a shape the way NumPy prints it: `(3,)`, `(3, 28, 28)`.
pub(super) fn shape_str(shape: &[usize]) -> String {
    match shape {
        [one] => format!("({one},)"),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

impl Npy {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len() / self.size
    }

    /// Element `bytes` as an integer (for integer kinds).
    pub(crate) fn int_at(&self, bytes: &[u8]) -> i128 {
        let mut b = [0u8; 8];
        let n = bytes.len().min(8);
        b[..n].copy_from_slice(&bytes[..n]);
        if self.big_endian {
            b[..n].reverse();
        }
        let raw = u64::from_le_bytes(b);
        match self.kind {
            Kind::Signed => {
                let shift = 64 - 8 * n as u32;
                i128::from(((raw << shift) as i64) >> shift)
            }
            _ => i128::from(raw),
        }
    }

    /// Element `bytes` as a float (for float kinds).
    pub(crate) fn float_at(&self, bytes: &[u8]) -> f64 {
        let mut b = [0u8; 8];
        let n = bytes.len().min(8);
        b[..n].copy_from_slice(&bytes[..n]);
        if self.big_endian {
            b[..n].reverse();
        }
        if n == 4 {
            f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        } else {
            f64::from_le_bytes(b)
        }
    }

    /// The values as image bytes: `|u1` as is, floats in [0, 1] scaled to 0..=255.
    pub fn into_pixels(self) -> Result<Vec<u8>, String> {
        match (self.kind, self.size) {
            (Kind::Unsigned, 1) => Ok(self.data),
            (Kind::Float, _) => {
                let mut out = Vec::with_capacity(self.len());
                for (i, e) in self.data.chunks_exact(self.size).enumerate() {
                    let v = self.float_at(e);
                    if v.is_nan() {
                        return Err(format!("value NaN at flat index {i}: float images must be in [0, 1]"));
                    }
                    if !(0.0..=1.0).contains(&v) {
                        return Err(format!(
                            "value {v} at flat index {i} is outside [0, 1] (float images must be scaled to [0, 1])"
                        ));
                    }
                    out.push((v * 255.0).round() as u8);
                }
                Ok(out)
            }
            _ => Err(format!("unsupported dtype '{}' for images (expected |u1, <f4 or <f8)", self.descr)),
        }
    }

    /// The values as strings (for fixed-width unicode arrays; NumPy pads each with NULs).
    pub fn strings(&self) -> Result<Vec<String>, String> {
        if self.kind != Kind::Unicode {
            return Err(format!("unsupported dtype '{}' for names (expected strings, <U…)", self.descr));
        }
        self.data
            .chunks_exact(self.size)
            .enumerate()
            .map(|(i, e)| {
                e.chunks_exact(4)
                    .map(|b| {
                        let b = [b[0], b[1], b[2], b[3]];
                        if self.big_endian {
                            u32::from_be_bytes(b)
                        } else {
                            u32::from_le_bytes(b)
                        }
                    })
                    .take_while(|&c| c != 0)
                    .map(|c| char::from_u32(c).ok_or_else(|| format!("string {i} is not valid unicode")))
                    .collect()
            })
            .collect()
    }

    /// The values as class labels: integers in 0..=u32::MAX.
    pub fn labels(&self) -> Result<Vec<u32>, String> {
        if matches!(self.kind, Kind::Float | Kind::Unicode) {
            return Err(format!("unsupported dtype '{}' for labels (expected integers)", self.descr));
        }
        self.data
            .chunks_exact(self.size)
            .enumerate()
            .map(|(i, e)| {
                let v = self.int_at(e);
                u32::try_from(v).map_err(|_| {
                    if v < 0 {
                        format!("negative label {v} at index {i}")
                    } else {
                        format!("label {v} at index {i} is too large")
                    }
                })
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    pub(crate) fn npy(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
        let header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
        let mut v = b"\x93NUMPY\x01\x00".to_vec();
        v.extend((header.len() as u16).to_le_bytes());
        v.extend(header.as_bytes());
        v.extend(data);
        v
    }

    #[test]
    fn parses_header_and_values() {
        let a = parse(npy("<i2", "(3,)", &[1, 0, 255, 255, 7, 1])).unwrap();
        assert_eq!(a.shape, vec![3]);
        assert_eq!(a.labels().unwrap_err(), "negative label -1 at index 1");
        let b = parse(npy(">u4", "(1,)", &[0, 0, 1, 2])).unwrap();
        assert_eq!(b.labels().unwrap(), vec![258]);
        let f: Vec<u8> = [0.0f32, 0.5, 1.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let c = parse(npy("<f4", "(1, 3)", &f)).unwrap();
        assert_eq!(c.into_pixels().unwrap(), vec![0, 128, 255]);
        let g: Vec<u8> = [2.0f64].iter().flat_map(|v| v.to_le_bytes()).collect();
        let d = parse(npy("<f8", "(1,)", &g)).unwrap();
        assert!(d.into_pixels().unwrap_err().contains("outside [0, 1]"));
    }

    #[test]
    fn rejects_bad_arrays() {
        let err = |b: Vec<u8>| parse(b).unwrap_err();
        assert!(err(b"PK\x03\x04".to_vec()).contains("magic"));
        assert!(err(npy("<c8", "(1,)", &[0; 8])).contains("unsupported dtype"));
        assert!(err(npy("|u1", "(4,)", &[0; 3])).contains("truncated"));
        assert!(err(npy("|u1", "(4,)", &[0; 5])).contains("unexpected"));
        assert!(err(npy("|u1", "(99999999999, 99999999999, 99999999999)", &[])).contains("too large"));
        let mut f = npy("|u1", "(1,)", &[0]);
        let at = f.windows(5).position(|w| w == b"False").unwrap();
        f.splice(at..at + 5, b"True ".iter().copied());
        assert!(err(f).contains("fortran_order"));
        let mut v = npy("|u1", "(1,)", &[0]);
        v[6] = 9;
        assert!(err(v).contains("version"));
    }
}
