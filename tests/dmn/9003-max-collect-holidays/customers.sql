-- The customer columns the rules read.
CREATE TABLE customers (
  customer_id INTEGER PRIMARY KEY,
  age INTEGER,
  years_of_service INTEGER
);
