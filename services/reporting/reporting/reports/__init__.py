"""Reports for the school's staff and the region (R-60 … R-66): their read model, sheets and exports."""
