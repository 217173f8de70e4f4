//! Exact decimal arithmetic for weights, points and the figures derived from them.
//!
//! Weights and points are decimals with at most three places, held as integer thousandths
//! ([`Milli`]), so sums are exact. Ratios such as a score are kept as a fraction
//! ([`Ratio`]) and compared by cross-multiplication; they are rounded only when printed.

use std::cmp::Ordering;

/// A decimal with at most three places, as an integer number of thousandths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Milli(pub i64);

impl Milli {
    /// One whole unit.
    pub const ONE: Milli = Milli(1000);

    /// Parses a decimal such as `1`, `0.5`, `-2.125`; more than three places is refused.
    pub fn parse(text: &str) -> Option<Milli> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty() && frac.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() > 3 || whole.len() > 12 {
            return None;
        }
        let whole_value: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let frac_value: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<3}").parse().ok()?
        };
        let value = whole_value * 1000 + frac_value;
        Some(Milli(if negative { -value } else { value }))
    }

    /// Converts a TOML float through its shortest decimal form, so `0.1` is exactly 100/1000.
    pub fn from_f64(value: f64) -> Option<Milli> {
        if !value.is_finite() {
            return None;
        }
        Milli::parse(&format!("{value}"))
    }

    /// The shortest decimal form: `12`, `12.5`, `0.125`.
    pub fn to_shortest(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / 1000;
        let frac = abs % 1000;
        if frac == 0 {
            format!("{sign}{whole}")
        } else {
            let digits = format!("{frac:03}");
            format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl std::ops::Add for Milli {
    type Output = Milli;
    fn add(self, other: Milli) -> Milli {
        Milli(self.0 + other.0)
    }
}

impl std::iter::Sum for Milli {
    fn sum<I: Iterator<Item = Milli>>(iter: I) -> Milli {
        Milli(iter.map(|m| m.0).sum())
    }
}

/// An exact fraction `num / den` with `den > 0`.
#[derive(Debug, Clone, Copy)]
pub struct Ratio {
    /// Numerator.
    pub num: i128,
    /// Denominator, always positive.
    pub den: i128,
}

impl Ratio {
    /// Zero, the value of every rate of an organization nobody rated.
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };

    /// `num / den`, or zero when `den` is zero (the "0 when rated = 0" rule).
    pub fn new_or_zero(num: i128, den: i128) -> Ratio {
        match den.cmp(&0) {
            Ordering::Equal => Ratio::ZERO,
            Ordering::Greater => Ratio { num, den },
            Ordering::Less => Ratio {
                num: -num,
                den: -den,
            },
        }
    }

    /// Rounds half up (towards positive infinity on a tie) to `places` decimals and prints
    /// exactly that many places: `0.8333`, `86.67`.
    pub fn to_fixed(self, places: u32) -> String {
        let scale = 10i128.pow(places);
        // floor((2·num·scale + den) / (2·den)) is num·scale/den rounded half up.
        let scaled = (2 * self.num * scale + self.den).div_euclid(2 * self.den);
        let sign = if scaled < 0 { "-" } else { "" };
        let abs = scaled.unsigned_abs();
        let whole = abs / scale as u128;
        if places == 0 {
            return format!("{sign}{whole}");
        }
        let frac = abs % scale as u128;
        format!("{sign}{whole}.{frac:0width$}", width = places as usize)
    }

    /// The same value with numerator and denominator divided by their greatest common
    /// divisor, so sums of many fractions keep small terms.
    pub fn reduced(self) -> Ratio {
        let divisor = gcd(self.num, self.den);
        if divisor <= 1 {
            return self;
        }
        Ratio {
            num: self.num / divisor,
            den: self.den / divisor,
        }
    }

    /// `self + other`, exact; `None` only where a term passes 128 bits.
    pub fn checked_add(self, other: Ratio) -> Option<Ratio> {
        let (a, b) = (self.reduced(), other.reduced());
        let divisor = gcd(a.den, b.den).max(1);
        let den = (a.den / divisor).checked_mul(b.den)?;
        let num = a
            .num
            .checked_mul(b.den / divisor)?
            .checked_add(b.num.checked_mul(a.den / divisor)?)?;
        Some(Ratio::new_or_zero(num, den).reduced())
    }

    /// `self × factor`, exact; `None` only where a term passes 128 bits.
    pub fn checked_times(self, factor: Milli) -> Option<Ratio> {
        let a = self.reduced();
        let num = a.num.checked_mul(i128::from(factor.0))?;
        let den = a.den.checked_mul(1000)?;
        Some(Ratio::new_or_zero(num, den).reduced())
    }

    /// `self ÷ divisor` (0 when `divisor` is 0, as every rate of nothing), exact; `None` only
    /// where a term passes 128 bits.
    pub fn checked_over(self, divisor: Milli) -> Option<Ratio> {
        let a = self.reduced();
        let num = a.num.checked_mul(1000)?;
        let den = a.den.checked_mul(i128::from(divisor.0))?;
        Some(Ratio::new_or_zero(num, den).reduced())
    }

    /// The nearest `f64`, for bars and JSON; never for comparisons.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl PartialEq for Ratio {
    fn eq(&self, other: &Ratio) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ratio {}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Ratio) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Ratio) -> Ordering {
        // Both denominators are positive, so cross-multiplying keeps the order; where the
        // products would overflow, the fractions are compared without them.
        match (
            self.num.checked_mul(other.den),
            other.num.checked_mul(self.den),
        ) {
            (Some(left), Some(right)) => left.cmp(&right),
            _ => compare_fractions(self.num, self.den, other.num, other.den),
        }
    }
}

/// How many times Euclid's loop in [`gcd`] can look at its pair: by Lamé's theorem, `n`
/// division steps need a larger number of at least F(n + 2) (Fibonacci), and F(187) passes
/// 2^128, so numbers of 128 bits take at most 184 steps, 185 when the first is the smaller,
/// and a last look finds the remainder 0.
const EUCLID_LOOKS: u32 = 186;

/// The greatest common divisor of `a` and `b`, positive (0 only when both are 0).
fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    // Bounded, so that a broken step fails at once instead of looping for ever.
    for _ in 0..EUCLID_LOOKS {
        if b == 0 {
            return i128::try_from(a).unwrap_or(i128::MAX);
        }
        (a, b) = (b, a % b);
    }
    unreachable!("Euclid's algorithm ends within {EUCLID_LOOKS} looks on 128-bit numbers")
}

/// Compares `a / b` with `c / d` (`b`, `d` > 0) without a product that could overflow: by
/// their whole parts, then by their remainders: `x / b < y / d` just when `d / y < b / x`,
/// so the remainders' reciprocals are compared the other way round — Euclid's steps, which
/// end within a few hundred for 128-bit numbers.
fn compare_fractions(mut a: i128, mut b: i128, mut c: i128, mut d: i128) -> Ordering {
    loop {
        let (whole_ab, rest_ab) = (a.div_euclid(b), a.rem_euclid(b));
        let (whole_cd, rest_cd) = (c.div_euclid(d), c.rem_euclid(d));
        return match (whole_ab.cmp(&whole_cd), rest_ab, rest_cd) {
            (Ordering::Equal, 0, 0) => Ordering::Equal,
            (Ordering::Equal, 0, _) => Ordering::Less,
            (Ordering::Equal, _, 0) => Ordering::Greater,
            (Ordering::Equal, _, _) => {
                // rest_ab / b against rest_cd / d, both in (0, 1): as d / rest_cd against
                // b / rest_ab.
                (a, b, c, d) = (d, rest_cd, b, rest_ab);
                continue;
            }
            (order, _, _) => order,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimals_with_at_most_three_places() {
        assert_eq!(Milli::parse("1"), Some(Milli(1000)));
        assert_eq!(Milli::parse("0.5"), Some(Milli(500)));
        assert_eq!(Milli::parse("2.125"), Some(Milli(2125)));
        assert_eq!(Milli::parse("-1.25"), Some(Milli(-1250)));
        assert_eq!(Milli::parse("1.2500"), Some(Milli(1250)));
        assert_eq!(Milli::parse(".5"), Some(Milli(500)));
        assert_eq!(Milli::parse("0.0001"), None);
        assert_eq!(Milli::parse("abc"), None);
        assert_eq!(Milli::parse(""), None);
        assert_eq!(Milli::parse("."), None);
        assert_eq!(Milli::from_f64(0.1), Some(Milli(100)));
        assert_eq!(Milli::from_f64(1.0), Some(Milli(1000)));
        assert_eq!(Milli::from_f64(-2.5), Some(Milli(-2500)));
        assert_eq!(Milli::from_f64(f64::NAN), None);
        assert_eq!(Milli::from_f64(f64::INFINITY), None);
    }

    #[test]
    fn a_sign_is_read_only_in_front_of_the_digits() {
        assert_eq!(Milli::parse("+5"), Some(Milli(5000)));
        assert_eq!(Milli::parse(" -0.5 "), Some(Milli(-500)));
        // "1.+5" would read as 1.05 if the fraction's digits were not checked on their own,
        // "+-5" as -5 if the whole part's were not.
        assert_eq!(Milli::parse("1.+5"), None);
        assert_eq!(Milli::parse("1.-5"), None);
        assert_eq!(Milli::parse("+-5"), None);
        assert_eq!(Milli::parse("-+5"), None);
        assert_eq!(Milli::parse("--5"), None);
        assert_eq!(Milli::parse("5-"), None);
    }

    #[test]
    fn at_most_twelve_whole_digits() {
        // Twelve digits in thousandths stay far inside i64; a thirteenth is refused.
        assert_eq!(
            Milli::parse("999999999999.999"),
            Some(Milli(999_999_999_999_999))
        );
        assert_eq!(
            Milli::parse("-100000000000"),
            Some(Milli(-100_000_000_000_000))
        );
        assert_eq!(Milli::parse("1000000000000"), None);
        assert_eq!(Milli::parse("-1000000000000"), None);
        // Zeros after the third place do not count as places.
        assert_eq!(Milli::parse("0.125000"), Some(Milli(125)));
        assert_eq!(Milli::parse("0.1251"), None);
    }

    #[test]
    fn milli_sums_exactly() {
        assert_eq!(Milli(1500) + Milli(-250), Milli(1250));
        let sum: Milli = [Milli(100), Milli(200), Milli(700)].into_iter().sum();
        assert_eq!(sum, Milli::ONE);
    }

    #[test]
    fn prints_shortest_decimal() {
        assert_eq!(Milli(12000).to_shortest(), "12");
        assert_eq!(Milli(12500).to_shortest(), "12.5");
        assert_eq!(Milli(125).to_shortest(), "0.125");
        assert_eq!(Milli(0).to_shortest(), "0");
        assert_eq!(Milli(-1500).to_shortest(), "-1.5");
    }

    #[test]
    fn rounds_half_up_from_the_exact_value() {
        // 2/3 = 0.666.. -> 0.6667; 1/8 = 0.125 -> 0.13 at two places (half up).
        assert_eq!(Ratio::new_or_zero(2, 3).to_fixed(4), "0.6667");
        assert_eq!(Ratio::new_or_zero(1, 8).to_fixed(2), "0.13");
        assert_eq!(Ratio::new_or_zero(260, 3).to_fixed(2), "86.67");
        assert_eq!(Ratio::new_or_zero(1, 1).to_fixed(4), "1.0000");
        assert_eq!(Ratio::new_or_zero(5, 0).to_fixed(2), "0.00");
        // -0.125 rounds up to -0.12.
        assert_eq!(Ratio::new_or_zero(-1, 8).to_fixed(2), "-0.12");
        // No places: 5/2 = 2.5 -> 3, -5/2 = -2.5 -> -2, 7/3 = 2.33 -> 2.
        assert_eq!(Ratio::new_or_zero(5, 2).to_fixed(0), "3");
        assert_eq!(Ratio::new_or_zero(-5, 2).to_fixed(0), "-2");
        assert_eq!(Ratio::new_or_zero(7, 3).to_fixed(0), "2");
        // -1/3 = -0.333.. -> -0.3333; -2/3 -> -0.6667.
        assert_eq!(Ratio::new_or_zero(-1, 3).to_fixed(4), "-0.3333");
        assert_eq!(Ratio::new_or_zero(-2, 3).to_fixed(4), "-0.6667");
        // 1234.5678 at two places: 1234.57.
        assert_eq!(
            Ratio::new_or_zero(12_345_678, 10_000).to_fixed(2),
            "1234.57"
        );
    }

    #[test]
    fn a_negative_denominator_moves_its_sign_to_the_numerator() {
        let half = Ratio::new_or_zero(1, -2);
        assert_eq!((half.num, half.den), (-1, 2));
        assert_eq!(half.to_fixed(2), "-0.50");
        let third = Ratio::new_or_zero(-1, -3);
        assert_eq!((third.num, third.den), (1, 3));
        let zero = Ratio::new_or_zero(7, 0);
        assert_eq!((zero.num, zero.den), (0, 1));
    }

    #[test]
    fn to_f64_is_the_quotient() {
        assert_eq!(Ratio::new_or_zero(1, 4).to_f64(), 0.25);
        assert_eq!(Ratio::new_or_zero(-3, 2).to_f64(), -1.5);
        assert_eq!(Ratio::ZERO.to_f64(), 0.0);
    }

    #[test]
    fn compares_exactly_where_cross_products_would_overflow() {
        let big = 10i128.pow(37);
        // (10^37 + 1) / 10^37 is just above 1, and 2·10^37 / 10^37 is exactly 2.
        assert!(Ratio::new_or_zero(big + 1, big) > Ratio::new_or_zero(1, 1));
        assert_eq!(Ratio::new_or_zero(2 * big, big), Ratio::new_or_zero(2, 1));
        // 1/3 against (10^37 / 3, rounded down) / 10^37, which is 0.333...3 < 1/3, and the
        // next one up, which is above.
        let third = big / 3;
        assert!(Ratio::new_or_zero(1, 3) > Ratio::new_or_zero(third, big));
        assert!(Ratio::new_or_zero(1, 3) < Ratio::new_or_zero(third + 1, big));
        // The same small fractions scaled up beyond the products' range stay equal; negative
        // points order below.
        assert_eq!(
            Ratio::new_or_zero(7 * big, 9 * big),
            Ratio::new_or_zero(7, 9)
        );
        assert!(Ratio::new_or_zero(-big - 1, big) < Ratio::new_or_zero(-1, 1));
        assert_eq!(
            compare_fractions(5, 7, 5 * big, 7 * big),
            std::cmp::Ordering::Equal
        );
        assert_eq!(
            compare_fractions(5, 7, 5 * big + 1, 7 * big),
            std::cmp::Ordering::Less
        );
    }

    proptest::proptest! {
        /// Fractions scaled up past the range of their cross products compare as the
        /// fractions themselves do.
        #[test]
        fn fractions_compare_as_their_cross_products_say(
            a in -1_000_000_000i64..1_000_000_000,
            b in 1i64..1_000_000_000,
            c in -1_000_000_000i64..1_000_000_000,
            d in 1i64..1_000_000_000,
            k in 1i128..100_000_000_000_000_000_000,
            m in 1i128..100_000_000_000_000_000_000,
        ) {
            let expected = (i128::from(a) * i128::from(d)).cmp(&(i128::from(c) * i128::from(b)));
            let scaled = compare_fractions(
                i128::from(a) * k,
                i128::from(b) * k,
                i128::from(c) * m,
                i128::from(d) * m,
            );
            proptest::prop_assert_eq!(scaled, expected);
            proptest::prop_assert_eq!(
                Ratio::new_or_zero(i128::from(a) * k, i128::from(b) * k)
                    .cmp(&Ratio::new_or_zero(i128::from(c) * m, i128::from(d) * m)),
                expected
            );
        }
    }

    #[test]
    fn sums_products_and_quotients_are_exact_and_reduced() {
        // 1/3 + 1/6 = 1/2; 2/4 reduces to 1/2.
        let sum = Ratio::new_or_zero(1, 3)
            .checked_add(Ratio::new_or_zero(1, 6))
            .unwrap();
        assert_eq!((sum.num, sum.den), (1, 2));
        let half = Ratio::new_or_zero(2, 4).reduced();
        assert_eq!((half.num, half.den), (1, 2));
        // 85/3 × 0.4 = 34/3; ÷ 0.7 = 340/21.
        let times = Ratio::new_or_zero(85, 3).checked_times(Milli(400)).unwrap();
        assert_eq!((times.num, times.den), (34, 3));
        let over = times.checked_over(Milli(700)).unwrap();
        assert_eq!((over.num, over.den), (340, 21));
        // Over nothing: zero, as a rate of nothing.
        assert_eq!(times.checked_over(Milli(0)), Some(Ratio::ZERO));
        // Negative values keep their sign in the numerator.
        let minus = Ratio::new_or_zero(-1, 4)
            .checked_add(Ratio::new_or_zero(1, 12))
            .unwrap();
        assert_eq!((minus.num, minus.den), (-1, 6));
        // Past 128 bits: None, never a wrapped value.
        let huge = Ratio::new_or_zero(1, i128::MAX / 3);
        assert_eq!(huge.checked_add(Ratio::new_or_zero(1, i128::MAX / 5)), None);
        assert_eq!(
            Ratio::new_or_zero(i128::MAX / 2, 1).checked_times(Milli(3000)),
            None
        );
    }

    #[test]
    fn compares_exactly_where_floats_would_not() {
        let a = Ratio::new_or_zero(1, 3);
        let b = Ratio::new_or_zero(333_333_333_333, 1_000_000_000_000);
        assert!(a > b);
        assert_eq!(Ratio::new_or_zero(2, 4), Ratio::new_or_zero(1, 2));
    }

    #[test]
    fn unequal_ratios_are_unequal_and_ordered_by_value() {
        // Every assert_eq! between ratios relies on == telling unequal values apart.
        let third = Ratio::new_or_zero(1, 3);
        let half = Ratio::new_or_zero(1, 2);
        let minus_half = Ratio::new_or_zero(-1, 2);
        assert_ne!(third, half);
        assert_ne!(half, minus_half);
        assert_ne!(Ratio::ZERO, third);
        assert!(third < half);
        assert!(half > third);
        assert!(minus_half < Ratio::ZERO && Ratio::ZERO < third);
        assert_eq!(third.cmp(&half), Ordering::Less);
        assert_eq!(half.cmp(&third), Ordering::Greater);
        assert_eq!(
            half.partial_cmp(&Ratio::new_or_zero(3, 6)),
            Some(Ordering::Equal)
        );
        // 2/3 against 3/5: cross products 10 and 9, so 2/3 is the larger.
        assert!(Ratio::new_or_zero(2, 3) > Ratio::new_or_zero(3, 5));
        let mut sorted = vec![half, minus_half, Ratio::ZERO, third];
        sorted.sort();
        assert_eq!(sorted, [minus_half, Ratio::ZERO, third, half]);
    }

    #[test]
    fn gcd_is_euclids_and_ends_within_lames_bound() {
        assert_eq!(gcd(12, 18), 6);
        assert_eq!(gcd(18, 12), 6);
        assert_eq!(gcd(-4, 6), 2);
        assert_eq!(gcd(0, 5), 5);
        assert_eq!(gcd(1, 1), 1);
        assert_eq!(gcd(0, 0), 0);
        // The slowest pair of i128 magnitudes: consecutive Fibonacci numbers F(183) and
        // F(184), the smaller first, take 184 looks; their divisor is 1.
        let f183: i128 = 78_569_350_599_398_894_027_251_472_817_058_687_522;
        let f184: i128 = 127_127_879_743_834_334_146_972_278_486_287_885_163;
        assert_eq!(gcd(f183, f184), 1);
        assert_eq!(gcd(i128::MIN, 1 << 100), 1 << 100);
    }
}
