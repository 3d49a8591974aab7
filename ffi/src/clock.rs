//! Clocks: every time check takes one, so tests and recorded traffic can fix "now".

use std::sync::Arc;

use cm::{Clock, FixedClock, SystemClock, UnixTime};

use crate::boundary::{guard, guard_value, out_ptr, write, FfiResult};
use crate::handle::ArcHandle;
use crate::result::countermark_result;

/// A clock. Immutable and reference counted: thread-safe. Functions that take a clock accept NULL for the
/// system clock; objects built with a clock keep their own reference, so it may be freed right after.
pub struct countermark_clock {
    _private: [u8; 0],
}

impl ArcHandle for countermark_clock {
    type Rust = Arc<dyn Clock>;
}

/// The clock behind a nullable handle: NULL is the system clock.
///
/// # Safety
/// `clock` is NULL or a live handle.
pub(crate) unsafe fn clock_or_system(clock: *const countermark_clock) -> FfiResult<Arc<dyn Clock>> {
    if clock.is_null() {
        return Ok(Arc::new(SystemClock));
    }
    // SAFETY: per the contract.
    Ok(Arc::clone(unsafe { countermark_clock::get(clock) }?))
}

/// Writes a new handle for the system clock (what NULL means elsewhere) to `*out`. Free with
/// `countermark_clock_free`.
#[no_mangle]
pub unsafe extern "C" fn countermark_clock_new_system(
    out: *mut *const countermark_clock,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        // SAFETY: checked above.
        unsafe { write(out, countermark_clock::into_ptr(clock)) };
        Ok(())
    })
}

/// Writes to `*out` a clock stopped at `secs` seconds plus `nanos` nanoseconds after the Unix epoch (for tests
/// and for verifying recorded traffic). `COUNTERMARK_RESULT_INVALID_PARAMETER` when `nanos` >= 1e9. Free with
/// `countermark_clock_free`.
#[no_mangle]
pub unsafe extern "C" fn countermark_clock_new_fixed(
    secs: i64,
    nanos: u32,
    out: *mut *const countermark_clock,
) -> countermark_result {
    guard(|| {
        let out = out_ptr(out)?;
        let t = UnixTime::from_parts(secs, nanos).ok_or(countermark_result::InvalidParameter)?;
        let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(t));
        // SAFETY: checked above.
        unsafe { write(out, countermark_clock::into_ptr(clock)) };
        Ok(())
    })
}

/// The clock's current time in whole Unix seconds (rounded down); 0 for NULL. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn countermark_clock_now(clock: *const countermark_clock) -> i64 {
    guard_value(0, || {
        // SAFETY: per the contract.
        unsafe { countermark_clock::get(clock) }.map_or(0, |c| c.now().secs())
    })
}

/// Releases a clock; NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn countermark_clock_free(clock: *const countermark_clock) {
    // SAFETY: NULL or a live handle the caller gives up.
    guard_value((), || unsafe { countermark_clock::free(clock) })
}
