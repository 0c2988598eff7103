"""Use cases on the grid model itself: validation against statistics, resolution study, inspection and map."""
