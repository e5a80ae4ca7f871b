SELECT E'it\'s; fine', e'\\';
/* outer /* inner; */ still; */ SELECT 1;
SELECT abcE'x\';
