//! The only place where handles become Rust values and back. Each opaque C type names the Rust type behind
//! it and its one ownership kind:
//! - [`ArcHandle`]: immutable, reference counted, shareable between threads (`Send + Sync`). `_free` drops one
//!   reference; functions that keep a handle (a signer keeping its key) take their own reference.
//! - [`BoxHandle`]: mutable, owned by the caller, used by one thread at a time. Builders hold an `Option`
//!   that their `_build` takes, so a consumed builder answers `COUNTERMARK_RESULT_BUILDER_CONSUMED`.

use std::sync::Arc;

use crate::boundary::FfiResult;
use crate::result::countermark_result;

/// A C handle type backed by an `Arc<Self::Rust>`.
pub(crate) trait ArcHandle: Sized {
    type Rust: Send + Sync;

    fn into_ptr(value: Self::Rust) -> *const Self {
        Arc::into_raw(Arc::new(value)).cast()
    }

    /// Borrows the value.
    ///
    /// # Safety
    /// `ptr` is NULL or was returned by [`ArcHandle::into_ptr`] for this type and not yet freed.
    unsafe fn get<'a>(ptr: *const Self) -> FfiResult<&'a Self::Rust> {
        if ptr.is_null() {
            return Err(countermark_result::NullParameter);
        }
        // SAFETY: per the contract, ptr came from Arc::into_raw of an Arc<Self::Rust> that is still alive.
        Ok(unsafe { &*ptr.cast::<Self::Rust>() })
    }

    /// Takes one more reference.
    #[allow(dead_code)] // used by the handles that keep others (nonce stores in policies)
    ///
    /// # Safety
    /// As [`ArcHandle::get`].
    unsafe fn clone_arc(ptr: *const Self) -> FfiResult<Arc<Self::Rust>> {
        if ptr.is_null() {
            return Err(countermark_result::NullParameter);
        }
        let ptr = ptr.cast::<Self::Rust>();
        // SAFETY: ptr came from Arc::into_raw and is alive; incrementing first keeps the caller's reference.
        unsafe {
            Arc::increment_strong_count(ptr);
            Ok(Arc::from_raw(ptr))
        }
    }

    /// Drops one reference; NULL is ignored.
    ///
    /// # Safety
    /// `ptr` is NULL or a live handle of this type that the caller gives up.
    unsafe fn free(ptr: *const Self) {
        if !ptr.is_null() {
            // SAFETY: per the contract.
            drop(unsafe { Arc::from_raw(ptr.cast::<Self::Rust>()) });
        }
    }
}

/// A C handle type backed by a `Box<Self::Rust>`.
pub(crate) trait BoxHandle: Sized {
    type Rust;

    fn into_ptr(value: Self::Rust) -> *mut Self {
        Box::into_raw(Box::new(value)).cast()
    }

    /// Borrows the value.
    ///
    /// # Safety
    /// `ptr` is NULL or was returned by [`BoxHandle::into_ptr`] for this type, not yet freed, and not used by
    /// another thread at the same time.
    unsafe fn get<'a>(ptr: *const Self) -> FfiResult<&'a Self::Rust> {
        if ptr.is_null() {
            return Err(countermark_result::NullParameter);
        }
        // SAFETY: per the contract.
        Ok(unsafe { &*ptr.cast::<Self::Rust>() })
    }

    /// Borrows the value mutably.
    ///
    /// # Safety
    /// As [`BoxHandle::get`], and no other reference to it is alive.
    unsafe fn get_mut<'a>(ptr: *mut Self) -> FfiResult<&'a mut Self::Rust> {
        if ptr.is_null() {
            return Err(countermark_result::NullParameter);
        }
        // SAFETY: per the contract.
        Ok(unsafe { &mut *ptr.cast::<Self::Rust>() })
    }

    /// Frees the value; NULL is ignored.
    ///
    /// # Safety
    /// `ptr` is NULL or a live handle of this type that the caller gives up.
    unsafe fn free(ptr: *mut Self) {
        if !ptr.is_null() {
            // SAFETY: per the contract.
            drop(unsafe { Box::from_raw(ptr.cast::<Self::Rust>()) });
        }
    }
}

/// Takes the value out of a builder, or reports that an earlier `_build` already did.
pub(crate) fn take_builder<T>(slot: &mut Option<T>) -> FfiResult<T> {
    slot.take().ok_or(countermark_result::BuilderConsumed)
}

/// Borrows a builder's value, or reports that it was consumed.
pub(crate) fn builder<T>(slot: &mut Option<T>) -> FfiResult<&mut T> {
    slot.as_mut().ok_or(countermark_result::BuilderConsumed)
}
