//! Code systems: well-formedness checks for LOINC, SNOMED CT, ICD-10-CM, RxNorm, CVX, DICOM, and UCUM units.
