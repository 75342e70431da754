//! The values a statement binds and a row holds, the same on both backends.

use std::sync::Arc;

use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Row as _, ValueRef as _};

use crate::StoreError;

/// What [`Query::execute`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Executed(pub(super) u64);

impl Executed {
    /// Rows inserted, updated or deleted.
    pub fn rows_affected(self) -> u64 {
        self.0
    }
}

/// A bound or fetched value. A bound null keeps its type, which PostgreSQL checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A fetched SQL `NULL`.
    Null,
    /// An integer.
    Int(Option<i64>),
    /// A floating-point number.
    Real(Option<f64>),
    /// Text.
    Text(Option<String>),
    /// Bytes.
    Blob(Option<Vec<u8>>),
}

/// A value [`Query::bind`] accepts.
pub trait Param {
    /// The null of this type, bound for `None`.
    const NULL: Value;
    /// The value to bind.
    fn into_value(self) -> Value;
}

macro_rules! int_param {
    ($($t:ty),*) => {$(
        impl Param for $t {
            const NULL: Value = Value::Int(None);
            fn into_value(self) -> Value {
                Value::Int(Some(i64::from(self)))
            }
        }
    )*};
}
int_param!(i64, i32, i16, u32, u16, u8, bool);

impl Param for f64 {
    const NULL: Value = Value::Real(None);
    fn into_value(self) -> Value {
        Value::Real(Some(self))
    }
}

impl Param for String {
    const NULL: Value = Value::Text(None);
    fn into_value(self) -> Value {
        Value::Text(Some(self))
    }
}

impl Param for &str {
    const NULL: Value = Value::Text(None);
    fn into_value(self) -> Value {
        Value::Text(Some(self.to_owned()))
    }
}

impl Param for &String {
    const NULL: Value = Value::Text(None);
    fn into_value(self) -> Value {
        Value::Text(Some(self.clone()))
    }
}

impl Param for Vec<u8> {
    const NULL: Value = Value::Blob(None);
    fn into_value(self) -> Value {
        Value::Blob(Some(self))
    }
}

impl<T: Param> Param for Option<T> {
    const NULL: Value = T::NULL;
    fn into_value(self) -> Value {
        self.map_or(T::NULL, Param::into_value)
    }
}

/// A fetched row: its column names and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub(super) names: Arc<[String]>,
    pub(super) values: Vec<Value>,
}

impl Row {
    /// The value of the column named `column`.
    pub fn try_get<T: FromValue, C: AsRef<str>>(&self, column: C) -> Result<T, StoreError> {
        let column = column.as_ref();
        let i = self
            .names
            .iter()
            .position(|n| n == column)
            .ok_or_else(|| StoreError::corrupt("row", format!("no column {column}")))?;
        self.get(i).map_err(|e| match e {
            StoreError::Corrupt { why, .. } => StoreError::corrupt("row", format!("column {column}: {why}")),
            other => other,
        })
    }

    /// The value of the `i`-th column (0-based).
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, StoreError> {
        let v = self.values.get(i).ok_or_else(|| StoreError::corrupt("row", format!("no column {i}")))?;
        T::from_value(v).ok_or_else(|| StoreError::corrupt("row", format!("unexpected value {v:?}")))
    }

    /// Converts a row read through sqlx (a pooled read) to a [`Row`].
    pub fn from_any(row: &AnyRow) -> Result<Row, StoreError> {
        let names = row.columns().iter().map(|c| sqlx::Column::name(c).to_owned()).collect();
        Row::from_any_with(row, names)
    }

    pub(super) fn from_any_with(row: &AnyRow, names: Arc<[String]>) -> Result<Row, StoreError> {
        let mut values = Vec::with_capacity(names.len());
        for i in 0..names.len() {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                values.push(Value::Null);
                continue;
            }
            let kind = raw.type_info().kind();
            values.push(match kind {
                AnyTypeInfoKind::SmallInt => Value::Int(Some(i64::from(row.try_get::<i16, _>(i)?))),
                AnyTypeInfoKind::Integer => Value::Int(Some(i64::from(row.try_get::<i32, _>(i)?))),
                AnyTypeInfoKind::BigInt => Value::Int(Some(row.try_get::<i64, _>(i)?)),
                AnyTypeInfoKind::Bool => Value::Int(Some(i64::from(row.try_get::<bool, _>(i)?))),
                AnyTypeInfoKind::Real => Value::Real(Some(f64::from(row.try_get::<f32, _>(i)?))),
                AnyTypeInfoKind::Double => Value::Real(Some(row.try_get::<f64, _>(i)?)),
                AnyTypeInfoKind::Text => Value::Text(Some(row.try_get::<String, _>(i)?)),
                AnyTypeInfoKind::Null => Value::Null,
                AnyTypeInfoKind::Blob => Value::Blob(Some(row.try_get::<Vec<u8>, _>(i)?)),
            });
        }
        Ok(Row { names, values })
    }
}

/// A type [`Row::try_get`] reads.
pub trait FromValue: Sized {
    /// `None` when the value is of another type.
    fn from_value(v: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Int(Some(i)) => Some(*i),
            _ => None,
        }
    }
}

impl FromValue for i32 {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).and_then(|i| i32::try_from(i).ok())
    }
}

impl FromValue for bool {
    fn from_value(v: &Value) -> Option<Self> {
        i64::from_value(v).map(|i| i != 0)
    }
}

impl FromValue for f64 {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Real(Some(f)) => Some(*f),
            // Counts and sums, far below 2^53: exact as f64.
            Value::Int(Some(i)) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Text(Some(s)) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Blob(Some(b)) => Some(b.clone()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Option<Self> {
        match v {
            Value::Null | Value::Int(None) | Value::Real(None) | Value::Text(None) | Value::Blob(None) => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}
