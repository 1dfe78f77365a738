-- LPR fixings (贷款市场报价利率), reference data for the amount-owed
-- calculator. Rates are decimal text (percent per year), kept exact.
CREATE TABLE lpr_fixings (
    published_on TEXT PRIMARY KEY,
    one_year     TEXT NOT NULL,
    five_year    TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);
