"""Reading files to import (CSV, JSON, XLSX) and the rules every imported row must pass."""
