//! The QR code of a link: SVG, PNG and the terminal, at error correction level M (the SMART
//! Health Links specification's recommendation).

use qrcode::render::{svg, unicode};
use qrcode::{Color, EcLevel, QrCode};

use crate::error::CliError;

/// Pixels per module in the PNG.
const PNG_MODULE_PX: usize = 8;
/// Light modules around the code (the QR standard's quiet zone).
const QUIET_ZONE: usize = 4;

/// A link's QR code.
pub struct Qr(QrCode);

impl Qr {
    /// The QR code of `link`, level M.
    ///
    /// # Errors
    /// The link is too long for any QR code.
    pub fn new(link: &str) -> Result<Qr, CliError> {
        QrCode::with_error_correction_level(link.as_bytes(), EcLevel::M).map(Qr).map_err(|_| {
            CliError::usage("the link is too long for a QR code", "use a shorter --url, --label or --viewer")
        })
    }

    /// An SVG image, at least 320 px wide.
    pub fn svg(&self) -> String {
        self.0.render::<svg::Color<'_>>().min_dimensions(320, 320).quiet_zone(true).build()
    }

    /// Half-block characters for a terminal (two rows of modules per line), light on dark.
    pub fn terminal(&self) -> String {
        self.0
            .render::<unicode::Dense1x2>()
            .dark_color(unicode::Dense1x2::Light)
            .light_color(unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build()
    }

    /// A greyscale PNG image, 8 px per module, with the quiet zone.
    ///
    /// # Errors
    /// The PNG encoder fails (it does not on an in-memory buffer).
    pub fn png(&self) -> Result<Vec<u8>, CliError> {
        let modules = self.0.width();
        let side = (modules + 2 * QUIET_ZONE) * PNG_MODULE_PX;
        let colors = self.0.to_colors();
        let mut pixels = vec![255u8; side * side];
        for (i, color) in colors.iter().enumerate() {
            if *color != Color::Dark {
                continue;
            }
            let (mx, my) = (i % modules + QUIET_ZONE, i / modules + QUIET_ZONE);
            for y in my * PNG_MODULE_PX..(my + 1) * PNG_MODULE_PX {
                if let Some(row) = pixels.get_mut(y * side + mx * PNG_MODULE_PX..y * side + (mx + 1) * PNG_MODULE_PX) {
                    row.fill(0);
                }
            }
        }
        let side = u32::try_from(side).map_err(|_| CliError::Internal("QR code too large".into()))?;
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(&pixels))
            .map_err(|e| CliError::Internal(format!("PNG encoding: {e}")))?;
        Ok(out)
    }
}
